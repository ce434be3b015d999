// The data of `trainsim sweep --html` (sim/report/html_report.hpp): the rows of
// the sweep CSV that were simulated, with the report `--json` prints.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/sweep/sweep_csv.hpp"

namespace trainsim {

// {"title", "colour_by" (sweep_plot's colour column), "dimensions" (the CSV's
// columns between point and status: the swept keys and the layout),
// "columns", "rows" (the simulated rows' cells as the CSV writes them),
// "labels" (row_label of each of those rows), "report" (sweep_report_json with
// `top_k` plans), "gpu_memory_bytes" (the first non-empty CSV cell of that
// column, "0" if none)}.
nlohmann::json sweep_html_data(const CsvTable& t, const std::string& title, std::size_t top_k,
                               const std::map<std::string, std::size_t>& skipped);

}  // namespace trainsim
