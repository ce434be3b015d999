#include "sim/sweep/sweep_run.hpp"

#include "sim/core/error.hpp"

namespace trainsim {

CsvTable evaluate_rows(const SweepSpec& spec, const Zoo& zoo, const std::vector<PlanPoint>& points,
                       const std::vector<std::size_t>& indices, const std::vector<std::string>& header,
                       const SearchOptions& options) {
  std::vector<PlanPoint> mine;
  mine.reserve(indices.size());
  for (std::size_t i : indices) mine.push_back(points.at(i));
  std::vector<PlanOutcome> outcomes = evaluate_plans(sweep_factory(spec, zoo), mine, options);
  return sweep_table(header, outcomes, indices);
}

SweepPlan plan_sweep(const SweepSpec& spec, const Zoo& zoo, const SweepRunOptions& options) {
  if (options.shards < 1 || options.shard < 1 || options.shard > options.shards)
    throw ConfigError({"--shard", 0, ""}, std::to_string(options.shard) + "/" + std::to_string(options.shards) +
                                              " is not a shard; write K/N with 1 <= K <= N, e.g. --shard 2/8");
  SweepPlan plan;
  resolve_sweep_base(spec, zoo);  // bad model, cluster or values: one error before any point
  plan.points = sweep_points(spec, zoo, &plan.skipped);
  plan.indices = shard_indices(plan.points.size(), options.shard, options.shards);
  plan.header = sweep_header(plan.points);
  return plan;
}

SweepRun run_sweep(const SweepSpec& spec, const Zoo& zoo, const SweepRunOptions& options) {
  SweepPlan plan = plan_sweep(spec, zoo, options);
  if (options.counted) options.counted(plan.points.size(), plan.indices.size());
  SweepRun run;
  run.total_points = plan.points.size();
  run.skipped = std::move(plan.skipped);
  SearchOptions search;
  search.threads = options.threads;
  search.progress = options.progress;
  run.table = evaluate_rows(spec, zoo, plan.points, plan.indices, plan.header, search);
  mark_pareto(run.table);
  return run;
}

}  // namespace trainsim
