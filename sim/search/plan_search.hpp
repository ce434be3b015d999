// Plan search: the one implementation behind `trainsim sweep`, `trainsim
// advise` and the `auto` columns of `trainsim validate` (issues 7 and 8).
//
// A search is a grid of scenario settings: each axis is a dotted scenario key
// with the values it takes, written as `--set key=value` takes them. Every
// point of the grid is built into a Scenario by a caller-supplied factory,
// which applies the settings to its base (a scenario file, a CSV row) and
// validates the layout; a point whose scenario is impossible is kept as
// `invalid` with the key and reason, never dropped. Valid points that the
// analytic memory model (sim/memory) says do not fit (GPU, host or NVMe
// memory: MemoryVerdict) are `pruned_oom` unless
// asked to simulate them anyway; the rest are simulated (simulate_step).
//
//   std::vector<SearchAxis> axes = {{"training.micro_batch", {"1", "2", "4"}},
//                                   {"training.recompute", {"selective", "full"}}};
//   auto outcomes = evaluate_plans(factory, grid_points(axes), {});
//   const PlanOutcome* best = fastest_fitting(outcomes);
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sim/spec/scenario.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/workload/step_result.hpp"

namespace trainsim {

// One axis of the grid: a dotted scenario key and its values in search order.
struct SearchAxis {
  std::string key;
  std::vector<std::string> values;
};

// One point of the grid: (key, value) per axis, in axis order.
struct PlanPoint {
  std::vector<std::pair<std::string, std::string>> settings;
  // "key=value" per setting, in order, as load_scenario's overrides take them.
  std::vector<std::string> overrides() const;
  // "key=value key=value ..." for tables and messages.
  std::string label() const;
};

// Builds and validates the scenario of `overrides` applied to the caller's
// base. Throws ConfigError when the plan is impossible (the error's key and
// message become the point's rejection reason). Must be safe to call from
// several threads at once when SearchOptions::threads > 1.
using ScenarioFactory = std::function<Scenario(const std::vector<std::string>& overrides)>;

enum class PlanStatus { invalid, pruned_oom, simulated };
const char* to_string(PlanStatus s);

struct PlanOutcome {
  PlanPoint point;
  PlanStatus status = PlanStatus::invalid;
  // invalid: the offending key ("simulation" when the step simulator failed
  // with a SimulationError on this plan); pruned_oom: "memory"
  std::string reason_key;
  std::string reason;                // invalid: the loader's message; pruned_oom: analytic peak vs HBM
  double analytic_peak_bytes = 0;    // analytic memory model's peak (valid points)
  double gpu_memory_bytes = 0;       // HBM per GPU (valid points)
  MemoryBreakdown analytic_at_peak;  // analytic breakdown on the peak GPU at its peak (valid points)
  MemoryNeeds analytic_needs;        // the analytic model's needs and the hardware's capacities (valid points)
  MemoryVerdict analytic_verdict;    // judge_memory(analytic_needs) (valid points)
  // The resolved layout (valid points: built == true; defaults otherwise).
  bool built = false;
  ParallelPlan parallel;
  TrainingPlan training;
  int num_micro_batches = 0;  // per step per pipeline
  // The simulated step (status == simulated) with per-GPU rows and the
  // timeline dropped to keep large searches small.
  StepResult result;
  // Simulated and fits GPU, host and NVMe memory (MemoryVerdict).
  bool fits() const { return status == PlanStatus::simulated && result.fits(); }
  // The verdict the point is judged by: the simulation's, else the analytic
  // model's (pruned_oom, or invalid after building).
  const MemoryVerdict& verdict() const { return status == PlanStatus::simulated ? result.verdict : analytic_verdict; }
};

struct SearchOptions {
  int threads = 1;        // worker threads in a oneTBB task_arena (1 = in the calling thread)
  bool prune_oom = true;  // skip simulating points the analytic model says do not fit
  // Called after each point with (points done, points total); from one thread at a time.
  std::function<void(std::size_t, std::size_t)> progress;
};

// The cartesian product of the axes, the first axis varying slowest. An
// empty axis list gives one point with no settings.
std::vector<PlanPoint> grid_points(const std::vector<SearchAxis>& axes);

// Builds, prunes and simulates every point. The result has one outcome per
// point, in the order of `points`, whatever the thread count (deterministic).
// The worker threads a search with `requested` threads runs on: at least 1,
// at most oneTBB's concurrency on this machine (more would only make oneTBB
// warn; outcomes never depend on the count).
int worker_threads(int requested);

std::vector<PlanOutcome> evaluate_plans(const ScenarioFactory& factory, const std::vector<PlanPoint>& points,
                                        const SearchOptions& options = {});

// The simulated outcome that fits with the smallest step time (ties: the
// earliest point); nullptr when none fits.
const PlanOutcome* fastest_fitting(const std::vector<PlanOutcome>& outcomes);

}  // namespace trainsim
