#include "sim/sweep/sweep_summary.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "sim/core/error.hpp"
#include "sim/core/quantity.hpp"
#include "sim/report/report_format.hpp"
#include "sim/core/format.hpp"

namespace trainsim {
namespace {

// Every run of digits (with a decimal point inside) becomes "N".
std::string without_numbers(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      out += text[i++];
      continue;
    }
    while (i < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[i])) ||
            (text[i] == '.' && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])))))
      ++i;
    out += "N";
  }
  return out;
}

// A number cell of a merged CSV; an empty cell is 0. A cell that is not a
// finite number is bad input (a hand-edited CSV), named by column and row.
double cell_number(const CsvTable& t, std::size_t row, const char* col) {
  const std::string& s = t.rows[row][t.column(col)];
  if (s.empty()) return 0.0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || !std::isfinite(v))
    throw ConfigError({"", 0, col}, "row " + std::to_string(row + 1) + ": '" + s.substr(0, 64) +
                                        "' is not a number; give a CSV written by trainsim sweep --out");
  return v;
}

std::string plans_table(const CsvTable& t, const std::vector<std::size_t>& rows, bool numbered) {
  const std::vector<bool> shown = label_columns(t);
  std::vector<std::vector<std::string>> cells = {
      {numbered ? "rank" : "point", "plan", "step [s]", "tokens/s", "TFLOP/s/GPU", "MFU", "peak [GiB]", "pareto"}};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::size_t r = rows[i];
    cells.push_back({numbered ? std::to_string(i + 1) : t.rows[r][0], row_label(t, r, shown),
                     fixed(cell_number(t, r, "step_time_s"), 3), fixed(cell_number(t, r, "tokens_per_s"), 0),
                     fixed(cell_number(t, r, "model_tflops_per_gpu"), 1),
                     fixed(100 * cell_number(t, r, "mfu"), 1) + "%", gib_text(cell_number(t, r, "peak_memory_bytes")),
                     t.rows[r][t.column("pareto")] == "true" ? "*" : ""});
  }
  return render_text_table(cells);
}

nlohmann::json plan_json(const CsvTable& t, std::size_t r, const std::vector<bool>& shown) {
  return {{"point", std::stoll(t.rows[r][0])},
          {"label", row_label(t, r, shown)},
          {"step_time_s", cell_number(t, r, "step_time_s")},
          {"tokens_per_s", cell_number(t, r, "tokens_per_s")},
          {"model_tflops_per_gpu", cell_number(t, r, "model_tflops_per_gpu")},
          {"mfu", cell_number(t, r, "mfu")},
          {"peak_memory_bytes", cell_number(t, r, "peak_memory_bytes")}};
}

}  // namespace

SweepCounts count_statuses(const CsvTable& t) {
  SweepCounts c;
  const std::size_t status = t.column("status"), fits = t.column("fits");
  for (const auto& row : t.rows) {
    ++c.points;
    if (row[status] == "invalid")
      ++c.invalid;
    else if (row[status] == "pruned_oom")
      ++c.pruned_oom;
    else
      ++c.simulated, ++(row[fits] == "true" ? c.fits : c.simulated_oom);
  }
  return c;
}

std::vector<ReasonCount> group_reasons(const CsvTable& t, const std::map<std::string, std::size_t>& skipped) {
  std::map<std::string, std::size_t> counts;
  const std::size_t reason = t.column("reason");
  for (const auto& row : t.rows)
    if (!row[reason].empty()) ++counts[without_numbers(row[reason])];
  for (const auto& [text, n] : skipped) counts["left out by search: all: " + text] += n;
  std::vector<ReasonCount> out;
  for (const auto& [text, n] : counts) out.push_back({text, n});
  std::stable_sort(out.begin(), out.end(),
                   [](const ReasonCount& a, const ReasonCount& b) { return a.count > b.count; });
  return out;
}

std::vector<std::size_t> ranked_rows(const CsvTable& t, std::size_t k) {
  std::vector<std::size_t> rows;
  const std::size_t fits = t.column("fits");
  for (std::size_t r = 0; r < t.rows.size(); ++r)
    if (t.rows[r][fits] == "true") rows.push_back(r);
  std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
    return cell_number(t, a, "step_time_s") < cell_number(t, b, "step_time_s");
  });
  if (k > 0 && rows.size() > k) rows.resize(k);
  return rows;
}

std::vector<std::size_t> pareto_rows(const CsvTable& t) {
  std::vector<std::size_t> rows;
  for (std::size_t r : ranked_rows(t, 0))
    if (t.rows[r][t.column("pareto")] == "true") rows.push_back(r);
  return rows;
}

// The columns before the layout that a plan's label names: the swept keys, and
// model, cluster and nodes only where they differ between rows (sweep_csv.hpp).
std::vector<bool> label_columns(const CsvTable& t) {
  std::vector<bool> shown(t.column("tp"), true);
  shown[0] = false;
  for (const std::string& name : named_columns()) {
    auto it = std::find(t.header.begin(), t.header.end(), name);
    if (it == t.header.end()) continue;
    const std::size_t c = static_cast<std::size_t>(it - t.header.begin());
    if (c >= shown.size()) continue;
    shown[c] = std::any_of(t.rows.begin(), t.rows.end(), [&](const auto& row) { return row[c] != t.rows[0][c]; });
  }
  return shown;
}

std::string row_label(const CsvTable& t, std::size_t row) { return row_label(t, row, label_columns(t)); }

std::string row_label(const CsvTable& t, std::size_t row, const std::vector<bool>& shown) {
  const auto& cells = t.rows[row];
  std::string out;
  for (std::size_t c = 1; c < shown.size(); ++c)
    if (shown[c]) out += t.header[c] + "=" + cells[c] + " ";
  auto col = [&](const char* name) { return cells[t.column(name)]; };
  out += "tp " + col("tp") + " pp " + col("pp") + " dp " + col("dp");
  if (col("cp") != "1") out += " cp " + col("cp");
  if (col("vp") != "1") out += " vp " + col("vp");
  if (col("sequence_parallel") == "true") out += " sp";
  out += " zero " + col("zero_stage") + " mb " + col("micro_batch") + " rc " + col("recompute");
  return out;
}

std::string format_sweep_report(const CsvTable& t, std::size_t top_k,
                                const std::map<std::string, std::size_t>& skipped) {
  SweepCounts c = count_statuses(t);
  std::string out = std::to_string(c.points) + " points: " + std::to_string(c.simulated) + " simulated (" +
                    std::to_string(c.fits) + " fit, " + std::to_string(c.simulated_oom) + " over memory), " +
                    std::to_string(c.pruned_oom) + " pruned as out of memory by the analytic model, " +
                    std::to_string(c.invalid) + " invalid\n";
  std::vector<ReasonCount> reasons = group_reasons(t, skipped);
  if (!reasons.empty()) out += "\nrejected, by reason:\n";
  for (const auto& r : reasons) out += "  " + std::to_string(r.count) + "  " + r.reason + "\n";
  std::vector<std::size_t> top = ranked_rows(t, top_k);
  if (top.empty()) return out + "\nno plan fits\n";
  out +=
      "\ntop " + std::to_string(top.size()) + " by step time (* = on the Pareto front of step time vs peak memory):\n";
  out += plans_table(t, top, true);
  out += "\nPareto front, step time vs peak memory (fastest first):\n";
  out += plans_table(t, pareto_rows(t), false);
  return out;
}

nlohmann::json sweep_report_json(const CsvTable& t, std::size_t top_k,
                                 const std::map<std::string, std::size_t>& skipped) {
  SweepCounts c = count_statuses(t);
  nlohmann::json j = {{"counts",
                       {{"points", c.points},
                        {"invalid", c.invalid},
                        {"pruned_oom", c.pruned_oom},
                        {"simulated", c.simulated},
                        {"simulated_oom", c.simulated_oom},
                        {"fits", c.fits}}}};
  j["reasons"] = nlohmann::json::array();
  for (const auto& r : group_reasons(t, skipped)) j["reasons"].push_back({{"reason", r.reason}, {"count", r.count}});
  j["top"] = nlohmann::json::array();
  const std::vector<bool> shown = label_columns(t);
  for (std::size_t r : ranked_rows(t, top_k)) j["top"].push_back(plan_json(t, r, shown));
  j["pareto"] = nlohmann::json::array();
  for (std::size_t r : pareto_rows(t)) j["pareto"].push_back(plan_json(t, r, shown));
  return j;
}

namespace {

// The layout column the plot colours by: the first that varies among `rows`.
std::string colour_column(const CsvTable& t, const std::vector<std::size_t>& rows) {
  for (const char* col :
       {"zero_stage", "tp", "pp", "dp", "cp", "vp", "micro_batch", "recompute", "sequence_parallel", "schedule"}) {
    const std::size_t c = t.column(col);
    for (std::size_t r : rows)
      if (t.rows[r][c] != t.rows[rows.front()][c]) return col;
  }
  return rows.empty() ? "" : "zero_stage";
}

// Sorts layout values numerically when both are numbers, else as text.
bool value_less(const std::string& a, const std::string& b) {
  char* ea = nullptr;
  char* eb = nullptr;
  const double x = std::strtod(a.c_str(), &ea), y = std::strtod(b.c_str(), &eb);
  if (!a.empty() && !b.empty() && *ea == 0 && *eb == 0) return x < y;
  return a < b;
}

}  // namespace

ScatterPlot sweep_plot(const CsvTable& t, const std::string& title) {
  ScatterPlot p;
  p.title = title;
  const std::size_t status = t.column("status");
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < t.rows.size(); ++r)
    if (t.rows[r][status] == "simulated") rows.push_back(r);
  p.series_name = colour_column(t, rows);
  std::vector<std::string> values;
  for (std::size_t r : rows) values.push_back(t.rows[r][t.column(p.series_name)]);
  std::sort(values.begin(), values.end(), value_less);
  values.erase(std::unique(values.begin(), values.end()), values.end());
  for (const std::string& v : values) p.series.push_back(p.series_name + " " + v);
  const std::vector<bool> shown = label_columns(t);
  for (std::size_t r : rows) {
    p.x_limit = cell_number(t, r, "gpu_memory_bytes") / kGiB;
    const auto at = std::find(values.begin(), values.end(), t.rows[r][t.column(p.series_name)]);
    p.points.push_back({cell_number(t, r, "peak_memory_bytes") / kGiB, cell_number(t, r, "step_time_s"),
                        t.rows[r][t.column("pareto")] == "true", t.rows[r][t.column("fits")] == "true",
                        row_label(t, r, shown), static_cast<int>(at - values.begin())});
  }
  return p;
}

namespace {

// The sweep's value of `key` for the title.
std::string title_value(const SweepSpec* spec, const CsvTable& t, const std::string& key) {
  if (spec != nullptr)
    if (auto it = spec->values.find(key); it != spec->values.end()) return it->second;
  const auto col = std::find(t.header.begin(), t.header.end(), key);
  if (col == t.header.end()) return "several " + key + "s";
  std::vector<std::string> seen;
  for (const auto& row : t.rows) {
    const std::string& v = row[static_cast<std::size_t>(col - t.header.begin())];
    if (std::find(seen.begin(), seen.end(), v) == seen.end()) seen.push_back(v);
  }
  return seen.size() == 1 ? seen.front() : "several " + key + "s";
}

}  // namespace

std::string sweep_plot_title(const SweepSpec* spec, const CsvTable& t) {
  long long lo = 0, hi = 0;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    if (t.rows[r][t.column("status")] != "simulated") continue;
    const long long g = std::llround(cell_number(t, r, "tp") * cell_number(t, r, "pp") * cell_number(t, r, "dp") *
                                     cell_number(t, r, "cp"));
    lo = lo == 0 ? g : std::min(lo, g);
    hi = std::max(hi, g);
  }
  std::string gpus = lo == hi ? std::to_string(hi) : std::to_string(lo) + "-" + std::to_string(hi);
  return title_value(spec, t, "model") + " on " + title_value(spec, t, "cluster") + ", " + gpus + " GPUs";
}

}  // namespace trainsim
