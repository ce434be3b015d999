#include "sim/sweep/sweep_run.hpp"

#include <map>
#include <memory>
#include <utility>

#include "sim/core/error.hpp"
#include "sim/load/hardware_loader.hpp"

namespace trainsim {
namespace {

// The value of `key` a point runs: its setting, else the sweep file's ("" when neither).
std::string value_of(const SweepSpec& spec, const PlanPoint& p, const std::string& key) {
  for (const auto& [k, v] : p.settings)
    if (k == key) return v;
  auto it = spec.values.find(key);
  return it == spec.values.end() ? "" : it->second;
}

// The model, cluster and node count of a point for the sweep CSV; the node
// count from gpus or the cluster card when the point and the file give none.
NamedValue named_values(const SweepSpec& spec, const Zoo& zoo) {
  // cluster -> (GPUs per node, nodes of the card); filled from one thread (sweep_table)
  auto cache = std::make_shared<std::map<std::string, std::pair<int, int>>>();
  return [&spec, &zoo, cache](const PlanPoint& p, const std::string& column) -> std::string {
    const std::string given = value_of(spec, p, column);
    if (column != "nodes" || !given.empty()) return given;
    const std::string cluster = value_of(spec, p, "cluster");
    auto it = cache->find(cluster);
    if (it == cache->end()) {
      try {
        ClusterSpec c = load_cluster_card(zoo.resolve(ZooKind::cluster, cluster, spec.file, {}).string(), zoo);
        it = cache->emplace(cluster, std::make_pair(c.node.gpus, c.nodes)).first;
      } catch (const ConfigError&) {
        return "";  // the point is invalid and says why
      }
    }
    const std::string gpus = value_of(spec, p, "gpus");
    const int per_node = it->second.first;
    if (!gpus.empty() && per_node > 0) return std::to_string((std::stoll(gpus) + per_node - 1) / per_node);
    return std::to_string(it->second.second);
  };
}

}  // namespace

CsvTable evaluate_rows(const SweepSpec& spec, const Zoo& zoo, const std::vector<PlanPoint>& points,
                       const std::vector<std::size_t>& indices, const std::vector<std::string>& header,
                       const SearchOptions& options) {
  std::vector<PlanPoint> mine;
  mine.reserve(indices.size());
  for (std::size_t i : indices) mine.push_back(points.at(i));
  std::vector<PlanOutcome> outcomes = evaluate_plans(sweep_factory(spec, zoo), mine, options);
  return sweep_table(header, outcomes, indices, named_values(spec, zoo));
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
