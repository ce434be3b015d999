// What `trainsim sweep` prints: counts by status, the reasons points were
// rejected (grouped), the top plans by step time and the Pareto front of step
// time against peak memory. Computed from the sweep CSV's table, so a merged
// or MPI-gathered CSV summarises exactly like a single-process run.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/report/svg_plot.hpp"
#include "sim/sweep/sweep_file.hpp"
#include "sim/sweep/sweep_csv.hpp"

namespace trainsim {

struct SweepCounts {
  std::size_t points = 0;      // rows
  std::size_t invalid = 0;     // the loader rejected the layout
  std::size_t pruned_oom = 0;  // the analytic memory model says it does not fit; not simulated
  std::size_t simulated = 0;
  std::size_t simulated_oom = 0;  // simulated, but the simulated peak exceeds HBM
  std::size_t fits = 0;
};

struct ReasonCount {
  std::string reason;  // "key: message" with every number replaced by N
  std::size_t count = 0;
};

SweepCounts count_statuses(const CsvTable& t);

// Reasons of invalid and non-fitting rows, numbers replaced by "N" so that
// "tp=3 does not divide the 32 heads" and "tp=5 ..." group together; most
// frequent first (ties by text). `skipped` (enumerator counts) are added.
std::vector<ReasonCount> group_reasons(const CsvTable& t, const std::map<std::string, std::size_t>& skipped = {});

// Rows that fit, fastest first (ties: lower point index), at most k (0 = all).
std::vector<std::size_t> ranked_rows(const CsvTable& t, std::size_t k);

// Rows on the Pareto front (pareto column), fastest first.
std::vector<std::size_t> pareto_rows(const CsvTable& t);

// "tp 8 pp 8 dp 16 vp 1 sp false zero 1 mb 1 full" plus the other swept keys
// (model, cluster and nodes only where they differ between the table's rows).
std::string row_label(const CsvTable& t, std::size_t row);
// The same with label_columns(t) computed once for many rows.
std::vector<bool> label_columns(const CsvTable& t);
std::string row_label(const CsvTable& t, std::size_t row, const std::vector<bool>& shown);

// The terminal report: counts, grouped reasons, top k table, Pareto front.
std::string format_sweep_report(const CsvTable& t, std::size_t top_k,
                                const std::map<std::string, std::size_t>& skipped = {});

// The same as one JSON document: {"counts", "reasons", "top", "pareto"};
// each plan {"point", "label", "step_time_s", "tokens_per_s",
// "model_tflops_per_gpu", "mfu", "peak_memory_bytes"}.
nlohmann::json sweep_report_json(const CsvTable& t, std::size_t top_k,
                                 const std::map<std::string, std::size_t>& skipped = {});

// Step time against peak memory of every simulated row, the front highlighted
// and the GPU's memory marked (`trainsim sweep --plot`). The points are
// coloured by the first layout column of zero_stage, tp, pp, dp, cp, vp,
// micro_batch, recompute, sequence_parallel, schedule whose value differs
// among them (the ZeRO stage first: the choice a DeepSpeed sweep is about).
ScatterPlot sweep_plot(const CsvTable& t, const std::string& title);

// The plot's title: "MODEL on CLUSTER, N GPUs" from the sweep file's single
// `model` and `cluster` values (else a swept column of that name, else
// "several ..."), the GPU count tp x pp x dp x cp of the simulated rows
// ("N-M GPUs" when they differ); `spec` may be null (merged CSVs).
std::string sweep_plot_title(const SweepSpec* spec, const CsvTable& t);

}  // namespace trainsim
