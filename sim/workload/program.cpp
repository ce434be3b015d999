#include "sim/workload/program.hpp"

namespace trainsim {

const char* to_string(Category c) {
  switch (c) {
    case Category::forward: return "forward";
    case Category::backward: return "backward";
    case Category::recompute: return "recompute";
    case Category::optimizer: return "optimizer";
    case Category::tp: return "tp";
    case Category::dp: return "dp";
    case Category::pp: return "pp";
    case Category::offload: return "offload";
  }
  return "?";
}

const char* to_string(GroupKind g) {
  switch (g) {
    case GroupKind::tp: return "tp";
    case GroupKind::cp: return "cp";
    case GroupKind::dp: return "dp";
    case GroupKind::shard: return "dp";  // the dp x cp group gradients and ZeRO shards use
    case GroupKind::embedding: return "embedding";
    case GroupKind::world: return "world";
  }
  return "?";
}

}  // namespace trainsim
