#include "sim/spec/link.hpp"

namespace trainsim {

const char* to_string(LinkKind k) {
  switch (k) {
    case LinkKind::nvlink: return "nvlink";
    case LinkKind::pcie: return "pcie";
    case LinkKind::host_memory: return "host_memory";
    case LinkKind::network: return "network";
    case LinkKind::nvme: return "nvme";
  }
  return "?";
}

}  // namespace trainsim
