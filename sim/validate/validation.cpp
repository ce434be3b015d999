#include "sim/validate/validation.hpp"

#include <algorithm>
#include <cmath>
#include <regex>

#include "sim/core/format.hpp"
#include "sim/search/plan_search.hpp"
#include "sim/validate/row_scenario.hpp"

namespace trainsim {
namespace {

// The pseudo-setting that tags each search point with its row (stripped
// before the row's scenario is built; never reported).
const char* kRowKey = "validate.row";

// A row on its way through the search.
struct RowWork {
  const RunRow* row = nullptr;
  RowPlan plan;
  RowReport report;
  std::size_t first = 0;  // its points in the batch it went into
  std::size_t count = 0;
  bool searched = false;  // has auto columns (its points are pruned by the analytic memory model)
};

std::optional<double> number_cell(const RunRow& row, const std::string& col) {
  const std::string& t = row.get(col);
  if (t.empty()) return std::nullopt;
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(t, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != t.size() || !std::isfinite(v) || v < 0)
    throw ConfigError(row.where(col), "'" + t + "' is not a number >= 0");
  return v;
}

// The measured columns; throws ConfigError naming the column.
void read_measured(const RunRow& row, RowReport& r) {
  r.measured_step_time_s = number_cell(row, "step_time_s");
  r.measured_peak_memory_gb = number_cell(row, "peak_memory_gb");
  r.reported_tflops_per_gpu = number_cell(row, "reported_tflops_per_gpu");
  const std::string& oom = row.get("oom");
  if (oom != "" && oom != "0" && oom != "1") throw ConfigError(row.where("oom"), "'" + oom + "' is not 0 or 1");
  r.measured_oom = oom == "1";
  if (!r.measured_oom && !r.measured_step_time_s && !r.measured_peak_memory_gb)
    throw ConfigError(row.where("step_time_s"), "nothing to compare: no step time, no peak memory and oom is not 1");
}

RowWork start_row(const RunRow& row, const Zoo& zoo) {
  RowWork w;
  w.row = &row;
  RowReport& r = w.report;
  r.id = row.id();
  r.file = row.file;
  r.line = row.line;
  r.family = source_family(row);
  r.model = row.get("model");
  r.gpus = std::atoi(row.get("gpus").c_str());
  try {
    read_measured(row, r);
    w.plan = plan_row(row, zoo);
    r.launch = w.plan.launch;
    r.settings = w.plan.settings;
    r.read_as = w.plan.read_as;
    w.searched = !w.plan.axes.empty();
  } catch (const ConfigError& e) {
    r.failed = true;
    r.reason = e.where().key + ": " + e.message();
  }
  return w;
}

void take_outcome(RowReport& r, const PlanOutcome& o) {
  if (o.analytic_peak_bytes > 0) r.analytic_peak_memory_gb = o.analytic_peak_bytes / 1e9;
  if (o.status != PlanStatus::simulated) return;
  const StepResult& s = o.result;
  r.fits = s.fits();  // GPU, host and NVMe memory (MemoryVerdict)
  r.predicted_peak_memory_gb = s.peak_memory_bytes.value() / 1e9;
  r.breakdown = s.breakdown;
  r.layout = RowLayout{s.parallel, s.training, s.micro_batches};
  if (r.measured_peak_memory_gb && *r.measured_peak_memory_gb > 0)
    r.memory_error = *r.predicted_peak_memory_gb / *r.measured_peak_memory_gb - 1;
  if (r.measured_oom) return;  // a run that did not run has no step time to compare
  r.predicted_step_time_s = s.step_time_s.value();
  r.predicted_tflops_per_gpu = s.model_tflops_per_gpu;
  if (r.measured_step_time_s && *r.measured_step_time_s > 0) {
    r.error = s.step_time_s.value() / *r.measured_step_time_s - 1;
    r.measured_tflops_per_gpu = s.model_flops_per_step / *r.measured_step_time_s / s.gpus / 1e12;
  }
}

std::string reason_of(const PlanOutcome& o) { return column_of(o.reason_key) + ": " + o.reason; }

// A row without auto columns: its one plan, simulated even when it does not fit.
void finish_fixed(RowReport& r, const PlanOutcome& o) {
  r.candidates = 1;
  if (o.status != PlanStatus::simulated) {
    r.failed = true;
    r.reason = reason_of(o);
    return;
  }
  r.candidates_fitting = o.fits() ? 1 : 0;
  take_outcome(r, o);
}

// A row with auto columns: the fastest fitting candidate, or why none is.
void finish_searched(RowReport& r, const std::vector<PlanOutcome>& all, std::size_t first, std::size_t count) {
  std::vector<PlanOutcome> mine(all.begin() + first, all.begin() + first + count);
  r.candidates = static_cast<int>(count);
  const PlanOutcome* invalid = nullptr;
  double least_peak = 0, hbm = 0;
  for (const PlanOutcome& o : mine) {
    r.candidates_fitting += o.fits() ? 1 : 0;
    if (o.status == PlanStatus::invalid && !invalid) invalid = &o;
    if (o.status != PlanStatus::invalid && (least_peak == 0 || o.analytic_peak_bytes < least_peak))
      least_peak = o.analytic_peak_bytes, hbm = o.gpu_memory_bytes;
  }
  if (const PlanOutcome* best = fastest_fitting(mine)) {
    for (std::size_t i = 1; i < best->point.settings.size(); ++i)
      r.chosen.emplace_back(column_of(best->point.settings[i].first), best->point.settings[i].second);
    take_outcome(r, *best);
    return;
  }
  if (least_peak == 0) {  // every candidate is impossible
    r.failed = true;
    r.reason = (invalid ? reason_of(*invalid) : std::string("no candidate")) + " (all " + std::to_string(count) +
               " candidates invalid)";
    return;
  }
  r.fits = false;
  r.analytic_peak_memory_gb = least_peak / 1e9;
  if (r.measured_oom) return;  // predicted OOM, as measured
  r.failed = true;
  const auto valid =
      std::count_if(mine.begin(), mine.end(), [](const PlanOutcome& o) { return o.status != PlanStatus::invalid; });
  r.reason = "no candidate fits: " + std::to_string(valid) + " valid of " + std::to_string(count) +
             ", the smallest analytic peak is " + fixed(least_peak / 1e9, 1) + " GB of " + fixed(hbm / 1e9, 1) + " GB";
}

// Every point of the rows in `batch`, each tagged with its row's index.
std::vector<PlanPoint> batch_points(std::vector<RowWork>& work, const std::vector<std::size_t>& batch) {
  std::vector<PlanPoint> points;
  for (std::size_t idx : batch) {
    RowWork& w = work[idx];
    w.first = points.size();
    for (PlanPoint p : grid_points(w.plan.axes)) {
      p.settings.insert(p.settings.begin(), {kRowKey, std::to_string(idx)});
      points.push_back(std::move(p));
    }
    w.count = points.size() - w.first;
  }
  return points;
}

}  // namespace

ValidationResult validate_runs(const std::vector<RunsTable>& tables, const Zoo& zoo, const ValidateOptions& options) {
  std::regex filter;
  try {
    filter = std::regex(options.filter.empty() ? std::string(".*") : options.filter);
  } catch (const std::regex_error& e) {
    throw ConfigError({"--filter", 0, ""}, "'" + options.filter + "' is not a valid regular expression: " + e.what());
  }
  std::vector<RowWork> work;
  for (const RunsTable& t : tables)
    for (const RunRow& row : t.rows)
      if (std::regex_search(row.id(), filter)) work.push_back(start_row(row, zoo));

  std::vector<std::size_t> fixed, searched;
  for (std::size_t i = 0; i < work.size(); ++i)
    if (!work[i].report.failed) (work[i].searched ? searched : fixed).push_back(i);
  std::vector<PlanPoint> fixed_points = batch_points(work, fixed), searched_points = batch_points(work, searched);

  ScenarioFactory factory = [&](const std::vector<std::string>& overrides) {
    const RowWork& w = work.at(std::stoul(overrides.front().substr(std::string(kRowKey).size() + 1)));
    return row_scenario(*w.row, w.plan, {overrides.begin() + 1, overrides.end()}, zoo);
  };
  const std::size_t total = fixed_points.size() + searched_points.size();
  auto progress = [&](std::size_t offset) {
    return options.progress ? std::function<void(std::size_t, std::size_t)>([&, offset](std::size_t done, std::size_t) {
      options.progress(offset + done, total);
    })
                            : nullptr;
  };
  SearchOptions all{options.threads, false, progress(0)};  // fixed rows: simulated even when they do not fit
  std::vector<PlanOutcome> fixed_out = evaluate_plans(factory, fixed_points, all);
  SearchOptions pruned{options.threads, true, progress(fixed_points.size())};
  std::vector<PlanOutcome> searched_out = evaluate_plans(factory, searched_points, pruned);

  for (std::size_t idx : fixed) finish_fixed(work[idx].report, fixed_out[work[idx].first]);
  for (std::size_t idx : searched) finish_searched(work[idx].report, searched_out, work[idx].first, work[idx].count);

  ValidationResult v;
  for (const RunsTable& t : tables) v.files.push_back(t.file);
  for (RowWork& w : work) v.rows.push_back(std::move(w.report));
  v.summary = summarize(v.rows);
  for (const std::string& f : v.files) {
    std::vector<RowReport> mine;
    for (const RowReport& r : v.rows)
      if (r.file == f) mine.push_back(r);
    v.per_file.push_back(summarize(mine));
  }
  return v;
}

}  // namespace trainsim
