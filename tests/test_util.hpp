// Helpers shared by the doctest suites (tests/<module>/*_test.cpp), in one
// place instead of a copy per suite. Everything reads the repository named by
// TRAINSIM_DEFAULT_DATA_DIR (the source tree; cmake/TrainsimTest.cmake).
#pragma once

#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/load/hardware_loader.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/load/zoo.hpp"

namespace trainsim::test {

// The message of the ConfigError that f throws, or "(no error)" when it
// throws none (any other exception propagates and fails the test case).
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// Whether `part` occurs in `text`.
inline bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The repository's model and cluster zoo, loaded once per test program.
inline const Zoo& zoo() {
  static const Zoo z(TRAINSIM_DEFAULT_DATA_DIR);
  return z;
}

// A scenario from YAML text (named "test.yaml" in messages) with --set
// overrides ("key=value") applied.
inline Scenario scenario(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  return load_scenario_string(yaml, "test.yaml", sets, zoo());
}

// The shipped cluster card topologies/NAME.yaml.
inline ClusterSpec card(const std::string& name) {
  return load_cluster_card((zoo().root() / "topologies" / (name + ".yaml")).string(), zoo());
}

// Ranks 0 .. n-1.
inline std::vector<int> first(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

}  // namespace trainsim::test
