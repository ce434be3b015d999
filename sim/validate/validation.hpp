// trainsim validate: predictions against measured training runs (issue 7).
//
//   RunsTable t = read_runs_csv("data/reference/calibration_runs.csv");
//   ValidationResult v = validate_runs({t}, zoo, {.threads = 2});
//   v.summary.mape_step_time, v.rows[i].error, v.rows[i].chosen ...
//
// Each row becomes a scenario (row_scenario.hpp); its `auto` columns become a
// plan search (sim/search/plan_search.hpp) whose fastest fitting candidate is
// the prediction. All rows' points go through one evaluate_plans call, so the
// search's worker threads share the whole file; the result does not depend on
// the thread count. A row that cannot be simulated (unknown card, impossible
// layout, no candidate fits) is kept with its reason and counts as a failure.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/load/zoo.hpp"
#include "sim/validate/launch_settings.hpp"
#include "sim/validate/runs_csv.hpp"
#include "sim/workload/step_result.hpp"

namespace trainsim {

struct ValidateOptions {
  int threads = 1;     // plan-search worker threads
  std::string filter;  // ECMAScript regex searched in each row's id; "" = every row
  // Called with (points done, points total) as the search advances.
  std::function<void(std::size_t, std::size_t)> progress;
};

// The layout of a row's predicted plan, as resolved (auto columns chosen).
struct RowLayout {
  ParallelPlan parallel;
  TrainingPlan training;
  int micro_batches = 0;  // per step per pipeline
};

// One row: what was measured, what is predicted, how they compare.
// Memory in GB = 1e9 bytes (the CSV's peak_memory_gb); errors are
// predicted / measured - 1.
struct RowReport {
  std::string id, file, family, model;
  int line = 0;
  int gpus = 0;
  bool failed = false;
  std::string reason;  // failed: "column: what is wrong"
  std::optional<double> measured_step_time_s, predicted_step_time_s, error;
  std::optional<double> measured_peak_memory_gb, predicted_peak_memory_gb, memory_error;
  std::optional<double> analytic_peak_memory_gb;   // sim/memory's analytic peak of the same plan
  std::optional<double> predicted_tflops_per_gpu;  // model FLOPs / predicted time / GPUs
  std::optional<double> measured_tflops_per_gpu;   // model FLOPs / measured time / GPUs
  std::optional<double> reported_tflops_per_gpu;   // as the source reported them (its own FLOP count)
  bool measured_oom = false;
  std::optional<bool> fits;                                 // predicted; empty when failed before a prediction
  std::vector<std::pair<std::string, std::string>> chosen;  // auto column -> value picked
  int candidates = 0;                                       // plans tried (1 without auto columns)
  int candidates_fitting = 0;
  std::vector<LaunchSetting> launch;       // settings implied by the source (less those stated)
  std::vector<LaunchSetting> settings;     // settings the row states (its `settings` column)
  std::vector<CellReading> read_as;        // cells read as another name (assumptions)
  std::optional<StepBreakdown> breakdown;  // of the predicted step
  std::optional<RowLayout> layout;         // of the predicted plan

  // Predicted fit agrees with the oom column (a failed row never agrees).
  bool oom_agrees() const { return fits.has_value() && *fits == !measured_oom; }
};

struct ValidationSummary {
  int rows = 0;
  int rows_failed = 0;
  int rows_compared = 0;  // rows with a measured and a predicted step time
  std::optional<double> mape_step_time, median_abs_error, max_abs_error, mean_error;
  std::string max_abs_error_id;
  int rows_over_10pct = 0, rows_over_20pct = 0;
  int oom_rows_agreeing = 0;
  std::optional<double> oom_agreement;  // agreeing rows / rows
  int memory_rows = 0;
  std::optional<double> memory_mape, memory_max_abs_error;
};

struct ValidationResult {
  std::vector<std::string> files;
  std::vector<RowReport> rows;              // file order, then row order
  ValidationSummary summary;                // over all rows
  std::vector<ValidationSummary> per_file;  // parallel to `files`
};

// Predicts every row (of every table) that matches the filter. Throws
// ConfigError for an invalid filter; rows never throw (they fail with a reason).
ValidationResult validate_runs(const std::vector<RunsTable>& tables, const Zoo& zoo, const ValidateOptions& options);

// The summary figures of a set of rows.
ValidationSummary summarize(const std::vector<RowReport>& rows);

}  // namespace trainsim
