// libFuzzer target: the runs CSV reader of `trainsim validate`
// (sim/validate/runs_csv.hpp) and the mapping of its rows onto scenarios
// (sim/validate/row_scenario.hpp).
// Input: byte 0 picks the route, the rest is the CSV text.
//   even: parse_runs_csv only;
//   odd:  parse_runs_csv, then for each of the first 4 rows plan_row and
//         row_scenario at the row's own values (the zoo's real cards), each
//         row's ConfigError caught as `validate` reports it per row.
// Contract checked: bad input throws ConfigError (exit 2 in the CLI, or the
// row's error in the report), nothing else escapes, and no sanitizer finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/load/zoo.hpp"
#include "sim/validate/row_scenario.hpp"
#include "sim/validate/runs_csv.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

void load(std::uint8_t which, const std::string& text) {
  using namespace trainsim;
  const RunsTable table = parse_runs_csv(text, "fuzz/runs.csv");
  if (which % 2 == 0) return;
  static const Zoo zoo(TRAINSIM_DEFAULT_DATA_DIR);
  const std::size_t rows = std::min<std::size_t>(table.rows.size(), 4);
  for (std::size_t i = 0; i < rows; ++i) {
    try {
      const RowPlan plan = plan_row(table.rows[i], zoo);
      (void)row_scenario(table.rows[i], plan, {}, zoo);
    } catch (const ConfigError&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return trainsim::fuzz::run_routed(data, size, load);
}
