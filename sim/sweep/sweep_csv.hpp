// The sweep CSV (docs/sweep.md): one row per point of the sweep, in point
// order, whatever the thread count, shard or MPI rank that evaluated it.
//
// Columns: point (0-based index in the unsharded sweep); model, cluster and
// nodes (what the point runs: its setting, else the sweep's value, else the
// cluster card's node count); one column per other swept
// key that is not a layout column (named by its dotted key); the resolved
// layout tp, pp, dp, cp, vp, sequence_parallel, zero_stage, schedule,
// micro_batch, num_micro_batches, recompute (for invalid points: the value the
// point set, else empty); status (simulated | pruned_oom | invalid); reason;
// step_time_s, tokens_per_s, model_tflops_per_gpu, hardware_tflops_per_gpu,
// mfu, peak_memory_bytes (simulated), analytic_peak_memory_bytes,
// gpu_memory_bytes, fits (simulated and fits GPU, host and NVMe memory),
// gpu_fits, host_fits, nvme_fits (the parts of the verdict: the simulation's,
// else the analytic model's), host_memory_peak_bytes_per_node,
// nvme_peak_bytes_per_node (offload, analytic), pareto, and
// breakdown_<term>_s for every term of the step-time breakdown.
//
// Shards: point i belongs to shard K of N (1-based) when i mod N == K - 1.
// Each shard's CSV has the full sweep's header; merging the N files gives the
// unsharded CSV byte for byte (the pareto column is recomputed over all rows).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "sim/search/plan_search.hpp"

namespace trainsim {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // The index of column `name`; throws ConfigError when absent.
  std::size_t column(const std::string& name) const;
};

// The header of a sweep whose points are `points` (all of them, unsharded).
std::vector<std::string> sweep_header(const std::vector<PlanPoint>& points);

// The model, cluster or nodes column of a point that does not set the key.
using NamedValue = std::function<std::string(const PlanPoint& point, const std::string& column)>;

// The columns every sweep CSV has after `point`: model, cluster, nodes.
const std::vector<std::string>& named_columns();

// One row per outcome; `indices[i]` is outcome i's point index in the whole
// sweep. The pareto column is left "false" (mark_pareto fills it). `named`
// fills the model, cluster and nodes cells the points leave empty.
CsvTable sweep_table(const std::vector<std::string>& header, const std::vector<PlanOutcome>& outcomes,
                     const std::vector<std::size_t>& indices, const NamedValue& named = {});

// Sets the pareto column over the table's rows (pareto.hpp) from the text of
// its step_time_s, peak_memory_bytes and fits cells.
void mark_pareto(CsvTable& table);

// RFC 4180 text: a header line, then one line per row; cells with a comma,
// quote or newline are quoted.
std::string csv_text(const CsvTable& table);

// Parses csv_text's output. Throws ConfigError naming `file` and the line.
CsvTable parse_csv(const std::string& text, const std::string& file);

// Joins shard tables (same header) into the unsharded table: rows ordered by
// point, pareto recomputed. Throws ConfigError when headers differ, a point
// appears twice, or points are missing (naming the files and the points).
CsvTable merge_tables(const std::vector<CsvTable>& parts, const std::vector<std::string>& files);

// The positions in `[0, total)` of shard `k` of `n` (1-based k): i mod n == k - 1.
std::vector<std::size_t> shard_indices(std::size_t total, int k, int n);

}  // namespace trainsim
