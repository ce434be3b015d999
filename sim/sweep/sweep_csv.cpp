#include "sim/sweep/sweep_csv.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "sim/core/error.hpp"
#include "sim/sweep/pareto.hpp"
#include "sim/core/format.hpp"

namespace trainsim {
namespace {

// Layout columns and the scenario key a point sets them with ("" = derived only).
const std::vector<std::pair<std::string, std::string>>& layout_columns() {
  static const std::vector<std::pair<std::string, std::string>> cols = {
      {"tp", "parallel.tp"},
      {"pp", "parallel.pp"},
      {"dp", "parallel.dp"},
      {"cp", "parallel.cp"},
      {"vp", "parallel.vp"},
      {"sequence_parallel", "parallel.sequence_parallel"},
      {"zero_stage", "parallel.zero_stage"},
      {"schedule", "parallel.schedule"},
      {"micro_batch", "training.micro_batch"},
      {"num_micro_batches", ""},
      {"recompute", "training.recompute"}};
  return cols;
}

const std::vector<std::string>& result_columns() {
  static const std::vector<std::string> cols = [] {
    std::vector<std::string> c = {"status",
                                  "reason",
                                  "step_time_s",
                                  "tokens_per_s",
                                  "model_tflops_per_gpu",
                                  "hardware_tflops_per_gpu",
                                  "mfu",
                                  "peak_memory_bytes",
                                  "analytic_peak_memory_bytes",
                                  "gpu_memory_bytes",
                                  "fits",
                                  "gpu_fits",
                                  "host_fits",
                                  "nvme_fits",
                                  "host_memory_peak_bytes_per_node",
                                  "nvme_peak_bytes_per_node",
                                  "pareto"};
    for (const auto& item : StepBreakdown{}.items()) c.push_back(std::string("breakdown_") + item.first + "_s");
    return c;
  }();
  return cols;
}

bool is_layout_key(const std::string& key) {
  for (const auto& [col, k] : layout_columns())
    if (k == key) return true;
  return false;
}

// A byte count rounded to whole bytes.
std::string bytes(double v) { return std::to_string(static_cast<std::int64_t>(v + 0.5)); }

std::string setting(const PlanPoint& p, const std::string& key) {
  for (const auto& [k, v] : p.settings)
    if (k == key) return v;
  return "";
}

std::vector<std::string> layout_cells(const PlanOutcome& o) {
  if (!o.built) {
    std::vector<std::string> cells;
    for (const auto& [col, key] : layout_columns()) cells.push_back(key.empty() ? "" : setting(o.point, key));
    return cells;
  }
  const ParallelPlan& p = o.parallel;
  const TrainingPlan& t = o.training;
  auto s = [](int v) { return std::to_string(v); };
  return {s(p.tp),
          s(p.pp),
          s(p.dp),
          s(p.cp),
          s(p.vp),
          p.sequence_parallel ? "true" : "false",
          s(p.zero_stage),
          to_string(p.schedule),
          s(t.micro_batch),
          s(o.num_micro_batches),
          to_string(t.recompute)};
}

std::string reason_text(const PlanOutcome& o) {
  auto gib = [](double b) { return general(b / (1024.0 * 1024 * 1024)); };
  switch (o.status) {
    case PlanStatus::invalid: return o.reason_key + ": " + o.reason;
    case PlanStatus::pruned_oom:
      if (!o.analytic_verdict.gpu_fits)
        return "memory: analytic peak " + gib(o.analytic_peak_bytes) + " GiB exceeds the GPU's " +
               gib(o.gpu_memory_bytes) + " GiB";
      return "memory: " + memory_shortfall(o.analytic_needs);
    case PlanStatus::simulated:
      if (o.result.fits()) return "";
      if (!o.result.verdict.gpu_fits)
        return "memory: simulated peak " + gib(o.result.peak_memory_bytes.value()) + " GiB exceeds the GPU's " +
               gib(o.result.gpu_memory_bytes.value()) + " GiB";
      return "memory: " + memory_shortfall(o.result.memory_needs());
  }
  return "";
}

std::vector<std::string> result_cells(const PlanOutcome& o) {
  std::vector<std::string> c = {to_string(o.status), reason_text(o)};
  const bool sim = o.status == PlanStatus::simulated;
  const StepResult& r = o.result;
  const StepBreakdown& b = r.breakdown;
  for (double v : {r.step_time_s.value(), r.tokens_per_s, r.model_tflops_per_gpu, r.hardware_tflops_per_gpu, r.mfu})
    c.push_back(sim ? general(v) : "");
  c.push_back(sim ? bytes(r.peak_memory_bytes.value()) : "");
  c.push_back(o.built ? bytes(o.analytic_peak_bytes) : "");
  c.push_back(o.built ? bytes(o.gpu_memory_bytes) : "");
  c.push_back(o.built ? (o.fits() ? "true" : "false") : "");
  const MemoryVerdict& v = o.verdict();
  for (bool part : {v.gpu_fits, v.host_fits, v.nvme_fits}) c.push_back(o.built ? (part ? "true" : "false") : "");
  c.push_back(o.built ? bytes(o.analytic_needs.host_peak_per_node.value()) : "");
  c.push_back(o.built ? bytes(o.analytic_needs.nvme_peak_per_node.value()) : "");
  c.push_back("false");
  for (const auto& item : b.items()) c.push_back(sim ? general(item.second) : "");
  return c;
}

std::string quoted(const std::string& cell) {
  if (cell.find_first_of(",\"\n\r") == std::string::npos) return cell;
  std::string out = "\"";
  for (char c : cell) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::size_t CsvTable::column(const std::string& name) const {
  auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end())
    throw ConfigError({"", 0, name},
                      "no column '" + name + "' in the sweep CSV; give a CSV written by trainsim sweep --out");
  return static_cast<std::size_t>(it - header.begin());
}

const std::vector<std::string>& named_columns() {
  static const std::vector<std::string> cols = {"model", "cluster", "nodes"};
  return cols;
}

std::vector<std::string> sweep_header(const std::vector<PlanPoint>& points) {
  std::vector<std::string> header{"point"};
  header.insert(header.end(), named_columns().begin(), named_columns().end());
  std::set<std::string> seen(named_columns().begin(), named_columns().end());
  for (const auto& p : points)
    for (const auto& [k, v] : p.settings)
      if (!is_layout_key(k) && seen.insert(k).second) header.push_back(k);
  for (const auto& [col, key] : layout_columns()) header.push_back(col);
  header.insert(header.end(), result_columns().begin(), result_columns().end());
  return header;
}

CsvTable sweep_table(const std::vector<std::string>& header, const std::vector<PlanOutcome>& outcomes,
                     const std::vector<std::size_t>& indices, const NamedValue& named) {
  CsvTable t;
  t.header = header;
  const std::size_t extra_end = t.column(layout_columns().front().first);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const PlanOutcome& o = outcomes[i];
    std::vector<std::string> row{std::to_string(indices.at(i))};
    for (std::size_t c = 1; c < extra_end; ++c) {
      std::string v = setting(o.point, header[c]);
      if (v.empty() && named && c <= named_columns().size()) v = named(o.point, header[c]);
      row.push_back(std::move(v));
    }
    for (auto& cell : layout_cells(o)) row.push_back(std::move(cell));
    for (auto& cell : result_cells(o)) row.push_back(std::move(cell));
    t.rows.push_back(std::move(row));
  }
  return t;
}

void mark_pareto(CsvTable& table) {
  const std::size_t time = table.column("step_time_s"), mem = table.column("peak_memory_bytes"),
                    fits = table.column("fits"), pareto = table.column("pareto");
  std::vector<ParetoPoint> points;
  for (const auto& row : table.rows) {
    ParetoPoint p;
    p.eligible = row[fits] == "true" && !row[time].empty();
    if (p.eligible) {
      p.step_time_s = std::stod(row[time]);
      p.peak_memory_bytes = std::stod(row[mem]);
    }
    points.push_back(p);
  }
  std::vector<bool> front = pareto_front(points);
  for (std::size_t i = 0; i < table.rows.size(); ++i) table.rows[i][pareto] = front[i] ? "true" : "false";
}

std::string csv_text(const CsvTable& table) {
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + quoted(cells[i]);
    out += "\n";
  };
  line(table.header);
  for (const auto& row : table.rows) line(row);
  return out;
}

std::vector<std::size_t> shard_indices(std::size_t total, int k, int n) {
  std::vector<std::size_t> out;
  for (std::size_t i = static_cast<std::size_t>(k - 1); i < total; i += static_cast<std::size_t>(n)) out.push_back(i);
  return out;
}

}  // namespace trainsim
