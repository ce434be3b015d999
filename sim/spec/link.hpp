// Links and routes: the vocabulary shared by the topology (which builds them)
// and the network model (which moves bytes over them). A link is directed:
// a full-duplex cable is two links.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/quantity.hpp"

namespace trainsim {

using LinkId = std::int32_t;

enum class LinkKind {
  nvlink,       // GPU <-> NVSwitch (per direction)
  pcie,         // device <-> PCIe switch, PCIe switch <-> CPU root complex
  host_memory,  // CPU <-> DRAM
  network,      // NIC <-> leaf, leaf <-> spine, spine <-> core
  nvme,         // NVMe drive <-> PCIe switch
};

const char* to_string(LinkKind k);

struct LinkSpec {
  std::string name;  // e.g. "n3.gpu5->nvsw", "leaf2->spine7"; unique, for traces and messages
  LinkKind kind = LinkKind::network;
  Bandwidth capacity;  // per direction, > 0
  Seconds latency;     // per hop, >= 0
  std::string key;     // the card key its capacity comes from ("node.nvme_read"), for messages; may be empty
};

// The links a transfer crosses, in order from source to destination.
using Route = std::vector<LinkId>;

}  // namespace trainsim
