#include "sim/workload/program.hpp"

namespace trainsim {

const char* to_string(Lane l) {
  switch (l) {
    case Lane::compute: return "compute";
    case Lane::tp_comm: return "tp_comm";
    case Lane::dp_comm: return "dp_comm";
    case Lane::pp_p2p: return "pp_p2p";
    case Lane::pcie: return "pcie";
    case Lane::nvme: return "nvme";
  }
  return "unknown";
}

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
    case GroupKind::shard: return "dp";
    case GroupKind::embedding: return "embedding";
    case GroupKind::world: return "world";
  }
  return "?";
}

std::vector<int> group_ranks(const Layout& l, GroupKind g, int rank) {
  switch (g) {
    case GroupKind::tp: return l.group(Dim::tp, rank);
    case GroupKind::cp: return l.group(Dim::cp, rank);
    case GroupKind::shard: return l.shard_group(rank);
    case GroupKind::embedding: {
      std::vector<int> pp = l.group(Dim::pp, rank);
      return {pp.front(), pp.back()};
    }
    case GroupKind::world: {
      std::vector<int> all(l.world());
      for (int i = 0; i < l.world(); ++i) all[i] = i;
      return all;
    }
  }
  return {rank};
}

}  // namespace trainsim
