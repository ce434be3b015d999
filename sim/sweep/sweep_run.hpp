// Running a sweep: its points (all, or one shard), evaluated by the plan
// search on oneTBB workers, as the sweep CSV's table (sweep_csv.hpp).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>

#include "sim/load/zoo.hpp"
#include "sim/sweep/sweep_csv.hpp"
#include "sim/sweep/sweep_file.hpp"

namespace trainsim {

struct SweepRunOptions {
  int threads = 1;  // plan-search workers (SearchOptions::threads)
  int shard = 1;    // this shard, 1-based (shard_indices)
  int shards = 1;   // number of shards
  // Called after each point with (points done, points of this shard); from one thread at a time.
  std::function<void(std::size_t, std::size_t)> progress;
  // Called once the points are counted, before any is evaluated, with (points
  // of the whole sweep, points of this shard).
  std::function<void(std::size_t, std::size_t)> counted;
};

struct SweepRun {
  std::size_t total_points = 0;                // points of the whole (unsharded) sweep
  CsvTable table;                              // this shard's rows, pareto marked over them
  std::map<std::string, std::size_t> skipped;  // enumerator's left-out combinations, by reason
};

// What a sweep will evaluate: every point, this shard's indices, the CSV header.
struct SweepPlan {
  std::vector<PlanPoint> points;               // the whole sweep
  std::vector<std::size_t> indices;            // this shard's points (shard_indices)
  std::vector<std::string> header;             // sweep_header(points)
  std::map<std::string, std::size_t> skipped;  // enumerator's left-out combinations, by reason
};

// Throws ConfigError for a bad sweep file or shard (k not in 1..n), and for a
// sweep of more than kMaxSweepPoints points (limits.hpp), counted before the
// points are built.
SweepPlan plan_sweep(const SweepSpec& spec, const Zoo& zoo, const SweepRunOptions& options);

// plan_sweep, then every point of the shard evaluated. Throws as plan_sweep.
SweepRun run_sweep(const SweepSpec& spec, const Zoo& zoo, const SweepRunOptions& options = {});

// Evaluates `points[i]` for each i in `indices` into rows with `header` (the
// building block of run_sweep and of the MPI workers). Pareto not marked.
CsvTable evaluate_rows(const SweepSpec& spec, const Zoo& zoo, const std::vector<PlanPoint>& points,
                       const std::vector<std::size_t>& indices, const std::vector<std::string>& header,
                       const SearchOptions& options);

}  // namespace trainsim
