// libFuzzer target: the sweep file reader (sim/sweep/sweep_file.hpp).
// Input: byte 0 picks the route, the rest is the sweep file's YAML.
//   0: load_sweep_string only (keys, values, ranges, search options);
//   1: then resolve_sweep_base (the base's model and cluster through the zoo,
//      every single-valued key checked);
//   2: then sweep_points, when the grid has at most 4,096 points (the point
//      count itself is bounded by `trainsim sweep`, not by this reader), and
//      the scenario of the first point built by sweep_factory.
// Contract checked: bad input throws ConfigError (exit 2 in the CLI), nothing
// else escapes, and no sanitizer finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/load/zoo.hpp"
#include "sim/sweep/sweep_file.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

// The grid's size, saturating at `cap` + 1 (vp: auto counts as 64 values).
std::size_t grid_size(const trainsim::SweepSpec& spec, std::size_t cap) {
  std::size_t n = 1;
  for (const auto& axis : spec.axes) {
    std::size_t k = 0;
    for (const auto& v : axis.values) k += v == trainsim::kAutoValue ? 64 : 1;
    if (k == 0) continue;
    if (n > cap / k) return cap + 1;
    n *= k;
  }
  return n;
}

void load(std::uint8_t which, const std::string& text) {
  using namespace trainsim;
  const SweepSpec spec = load_sweep_string(text, TRAINSIM_DEFAULT_DATA_DIR "/scenarios/sweeps/fuzz.yaml");
  if (which % 3 == 0) return;
  static const Zoo zoo(TRAINSIM_DEFAULT_DATA_DIR);
  (void)resolve_sweep_base(spec, zoo);
  if (which % 3 == 1 || spec.mode != SweepMode::grid || grid_size(spec, 4096) > 4096) return;
  const auto points = sweep_points(spec, zoo);
  if (points.empty()) return;
  (void)sweep_factory(spec, zoo)(points.front().overrides());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return trainsim::fuzz::run_routed(data, size, load);
}
