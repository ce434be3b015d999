// Helpers shared by the test suites (tests/test_util.hpp): a shipped cluster card by name, and
// the first n ranks of a cluster.
#pragma once

#include <numeric>
#include <string>
#include <vector>

#include "sim/load/hardware_loader.hpp"
#include "sim/load/zoo.hpp"

namespace trainsim::test {

// topologies/NAME.yaml of the repository (TRAINSIM_DEFAULT_DATA_DIR).
inline ClusterSpec card(const std::string& name) {
  Zoo zoo(TRAINSIM_DEFAULT_DATA_DIR);
  return load_cluster_card((zoo.root() / "topologies" / (name + ".yaml")).string(), zoo);
}

// Ranks 0 .. n-1.
inline std::vector<int> first(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

}  // namespace trainsim::test
