// `trainsim compare`: each candidate's best layout by the plan search
// (`search: all` on its cluster and node count: sweep_points, evaluate_plans)
// and what training the job on it takes: time, GPU-hours, cost, energy and
// goodput (docs/compare.md states every formula and default).
//
// The best layout is the fitting plan (GPU, host and NVMe memory) with the
// most tokens per second, i.e. the shortest time to train; ties go to the
// earliest point. A candidate with no fitting plan is kept with the reason.
// Deterministic whatever the thread count (the plan search is).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "sim/buy/compare_file.hpp"
#include "sim/load/zoo.hpp"
#include "sim/search/plan_search.hpp"

namespace trainsim {

struct CandidateResult {
  Candidate candidate;
  std::string gpu;  // the GPU card's name
  int nodes = 0;
  int gpus = 0;
  std::size_t points = 0, simulated = 0, fitting = 0;  // of its plan search
  bool found = false;                                  // a fitting plan exists
  std::string reason;                                  // when not found
  PlanOutcome best;                                    // when found: layout and simulated step
  // The job on the best plan, failure-free.
  double tokens_per_step = 0;
  double steps = 0;            // ceil(tokens / tokens_per_step)
  double time_to_train_s = 0;  // steps x step time
  double energy_step_j = 0;    // facility energy of one step (step_energy_j)
  // Goodput (Young/Daly with exponential interruptions).
  double checkpoint_bytes = 0;   // params x kCheckpointBytesPerParam
  double storage_bandwidth = 0;  // aggregate [B/s]
  double checkpoint_s = 0;       // write: bytes / bandwidth (delta)
  double restart_s = 0;          // read back + restart overhead (R)
  double mtbf_s = 0;             // of the job: 1 / (rate x gpus) (M)
  double interval_s = 0;         // Daly's optimum (tau)
  double young_interval_s = 0;   // Young's, for reference
  double expected_interruptions = 0;
  double effective_time_s = 0;  // Daly's expected wall-clock time
  double goodput = 0;           // time_to_train / effective_time
  // Money and energy over the effective time.
  double per_gpu_hour = 0;
  double gpu_hours = 0;
  double energy_kwh = 0;  // facility energy, time lost to interruptions at the job's average power
  double average_power_kw = 0;
  double cost = 0;
  double tokens_per_cost = 0;
  double tokens_per_kwh = 0;
  bool pareto = false;                   // on the front of effective time vs cost
  std::vector<std::string> assumptions;  // defaults the figures rest on, one line each
};

struct CompareResult {
  std::string file;
  std::string title;
  double tokens = 0;
  std::vector<CandidateResult> rows;  // in the file's order
};

struct CompareOptions {
  int threads = 1;
  // Before a candidate's search: (candidate index, candidates, points of its search).
  std::function<void(std::size_t, std::size_t, std::size_t)> started;
  // After each point of a candidate's search: (points done, points total); from one thread at a time.
  std::function<void(std::size_t, std::size_t)> progress;
};

// Throws ConfigError for a bad cluster, node count or job (at the compare file's line).
CompareResult run_compare(const CompareSpec& spec, const Zoo& zoo, const CompareOptions& options = {});

// The job's figures on a simulated plan (exposed for tests): fills every
// field from tokens_per_step on, given the candidate, gpus, nodes and best.
void account_job(const CompareSpec& spec, CandidateResult& r, double card_storage_per_node);

}  // namespace trainsim
