// libFuzzer target: `trainsim sweep --merge` (sim/sweep/sweep_csv.hpp): the
// shard CSVs read back, joined and reported.
// Input: byte 0 picks the route, the rest is CSV text; a line "--" splits it
// into shard files.
//   even: parse_csv of each part, then merge_tables;
//   odd:  the same, then what `sweep --merge` prints from the merged table:
//         the text report, the JSON report, the SVG plot and the CSV text.
// Contract checked: bad input throws ConfigError (exit 2 in the CLI), nothing
// else escapes, and no sanitizer finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/report/svg_plot.hpp"
#include "sim/sweep/sweep_csv.hpp"
#include "sim/sweep/sweep_summary.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

std::vector<std::string> split_parts(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = text.find("\n--\n", start);
    if (at == std::string::npos) break;
    parts.push_back(text.substr(start, at + 1 - start));
    start = at + 4;
  }
  parts.push_back(text.substr(start));
  return parts;
}

void load(std::uint8_t which, const std::string& text) {
  using namespace trainsim;
  std::vector<CsvTable> tables;
  std::vector<std::string> files;
  for (const std::string& part : split_parts(text)) {
    files.push_back("fuzz/shard" + std::to_string(files.size() + 1) + ".csv");
    tables.push_back(parse_csv(part, files.back()));
  }
  const CsvTable all = merge_tables(tables, files);
  if (which % 2 == 0) return;
  (void)format_sweep_report(all, 5);
  // As the CLI writes it (tools/cli/cli_common.cpp json_text): invalid UTF-8 replaced.
  (void)sweep_report_json(all, 5).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  (void)render_svg(sweep_plot(all, sweep_plot_title(nullptr, all)));
  (void)csv_text(all);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return trainsim::fuzz::run_routed(data, size, load);
}
