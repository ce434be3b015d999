// The data of `trainsim sweep --html` (sweep_html.hpp).
#include "sim/sweep/sweep_html.hpp"

#include <algorithm>

#include "sim/sweep/sweep_summary.hpp"

namespace trainsim {

nlohmann::json sweep_html_data(const CsvTable& t, const std::string& title, std::size_t top_k,
                               const std::map<std::string, std::size_t>& skipped) {
  nlohmann::json j;
  j["title"] = title;
  j["colour_by"] = sweep_plot(t, title).series_name;
  const auto status_at = std::find(t.header.begin(), t.header.end(), "status");
  j["dimensions"] = std::vector<std::string>(t.header.begin() + (t.header.empty() ? 0 : 1), status_at);
  j["columns"] = t.header;
  const std::size_t status = t.column("status");
  nlohmann::json rows = nlohmann::json::array(), labels = nlohmann::json::array();
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    if (t.rows[r][status] != "simulated") continue;
    rows.push_back(t.rows[r]);
    labels.push_back(row_label(t, r));
  }
  std::string hbm = "0";  // every row of a sweep is on the same GPU; pruned rows carry it too
  const std::size_t hbm_col = t.column("gpu_memory_bytes");
  for (const auto& row : t.rows)
    if (!row[hbm_col].empty()) {
      hbm = row[hbm_col];
      break;
    }
  j["gpu_memory_bytes"] = hbm;
  j["rows"] = std::move(rows);
  j["labels"] = std::move(labels);
  j["report"] = sweep_report_json(t, top_k, skipped);
  return j;
}

}  // namespace trainsim
