#include "sim/buy/compare_run.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/config/config_doc.hpp"
#include "sim/config/keys.hpp"
#include "sim/core/error.hpp"
#include "sim/core/format.hpp"
#include "sim/load/hardware_loader.hpp"
#include "sim/sweep/pareto.hpp"

namespace trainsim {
namespace {

// DGX H100: 10.2 kW maximum system power (NVIDIA DGX H100 datasheet) less
// 8 GPUs x 700 W, per GPU of the node (docs/compare.md "Energy").
constexpr double kNodeOverheadPerGpuW = (10200.0 - 8 * 700.0) / 8;
constexpr double kSecondsPerDay = 86400;

// The fitting outcome with the most tokens per second; ties: the earliest.
const PlanOutcome* best_plan(const std::vector<PlanOutcome>& outcomes) {
  const PlanOutcome* best = nullptr;
  for (const auto& o : outcomes)
    if (o.fits() && (!best || o.result.tokens_per_s > best->result.tokens_per_s)) best = &o;
  return best;
}

void default_assumptions(const Candidate& c, double card_storage_per_node, CandidateResult& r) {
  auto& a = r.assumptions;
  if (!c.node_overhead_given)
    a.push_back("power.node_overhead_w: " + general(kNodeOverheadPerGpuW * r.gpus / std::max(1, r.nodes)) +
                " W (575 W per GPU, DGX H100's 10.2 kW less its GPUs)");
  if (!c.failures_given) a.push_back("failures_per_gpu_day: Llama 3's 466 interruptions in 54 days on 16,384 GPUs");
  if (!c.storage_bandwidth && card_storage_per_node <= 0)
    a.push_back("checkpoint.storage_bandwidth: 1 GB/s per node (Llama 3's 2 TB/s over 2,048 nodes)");
  if (!c.restart_given) a.push_back("checkpoint.restart_s: 600 s to relaunch beyond reading the checkpoint");
  a.push_back("checkpoint: 14 bytes per parameter (16-bit weights, FP32 master weights, Adam moments)");
}

}  // namespace

void account_job(const CompareSpec& spec, CandidateResult& r, double card_storage_per_node) {
  const Candidate& c = r.candidate;
  const StepResult& s = r.best.result;
  r.tokens_per_step = static_cast<double>(r.best.training.global_batch) * r.best.training.seq_len;
  r.steps = std::ceil(spec.tokens / r.tokens_per_step);
  r.time_to_train_s = r.steps * s.step_time_s.value();
  PowerModel power = c.power;
  if (!c.node_overhead_given) power.node_overhead_w = kNodeOverheadPerGpuW * r.gpus / std::max(1, r.nodes);
  r.energy_step_j = step_energy_j(power, phases_of(s.breakdown), r.gpus, r.nodes);

  r.checkpoint_bytes = static_cast<double>(s.params_total) * kCheckpointBytesPerParam;
  r.storage_bandwidth = c.storage_bandwidth         ? *c.storage_bandwidth
                        : card_storage_per_node > 0 ? card_storage_per_node * r.nodes
                                                    : kDefaultStorageBandwidthPerNode * r.nodes;
  r.checkpoint_s = r.checkpoint_bytes / r.storage_bandwidth;
  r.restart_s = r.checkpoint_s + c.restart_overhead_s;
  const double rate = c.failures_per_gpu_day / kSecondsPerDay;
  r.mtbf_s = rate > 0 ? 1 / (rate * r.gpus) : std::numeric_limits<double>::infinity();
  r.young_interval_s = young_interval_s(r.checkpoint_s, r.mtbf_s);
  r.interval_s = std::isfinite(r.mtbf_s) ? daly_interval_s(r.checkpoint_s, r.mtbf_s) : r.time_to_train_s;
  r.interval_s = std::min(r.interval_s, r.time_to_train_s);  // no checkpoint is needed past the end
  r.effective_time_s = daly_wall_time_s(r.time_to_train_s, r.interval_s, r.checkpoint_s, r.restart_s, r.mtbf_s);
  r.expected_interruptions = expected_interruptions(rate, r.gpus, r.effective_time_s);
  r.goodput = r.time_to_train_s / r.effective_time_s;

  r.per_gpu_hour = c.per_gpu_hour;
  r.gpu_hours = r.gpus * r.effective_time_s / 3600;
  const double energy_j = r.energy_step_j * r.steps * (r.effective_time_s / r.time_to_train_s);
  r.energy_kwh = energy_j / 3.6e6;
  r.average_power_kw = r.energy_step_j / s.step_time_s.value() / 1e3;
  r.cost = job_cost(r.gpu_hours, r.per_gpu_hour, r.energy_kwh, c.per_kwh);
  r.tokens_per_cost = r.cost > 0 ? spec.tokens / r.cost : 0;
  r.tokens_per_kwh = spec.tokens / r.energy_kwh;
  default_assumptions(c, card_storage_per_node, r);
}

namespace {

// The cluster card's checkpoint bandwidth per node (node.storage_bandwidth), 0 when it gives none.
double card_storage(const std::string& card_path) {
  ConfigDoc d = ConfigDoc::load_file(card_path, cluster_keys());
  return d.given("node.storage_bandwidth") ? d.get_quantity("node.storage_bandwidth") : 0;
}

CandidateResult run_candidate(const CompareSpec& spec, const Candidate& c, const Zoo& zoo,
                              const CompareOptions& options, std::size_t index) {
  CandidateResult r;
  r.candidate = c;
  const SourceLocation at{spec.file, c.cluster_line, "cluster"};
  const std::string path = zoo.resolve(ZooKind::cluster, c.cluster, spec.file, at).string();
  const ClusterSpec cluster = load_cluster_card(path, zoo);
  r.gpu = cluster.node.gpu.name;
  r.nodes = c.nodes ? *c.nodes : cluster.nodes;
  r.gpus = r.nodes * cluster.node.gpus;
  const SweepSpec search = candidate_search(spec, c);
  resolve_sweep_base(search, zoo);
  const std::vector<PlanPoint> points = sweep_points(search, zoo);
  if (options.started) options.started(index, spec.candidates.size(), points.size());
  SearchOptions so;
  so.threads = options.threads;
  so.progress = options.progress;
  const std::vector<PlanOutcome> outcomes = evaluate_plans(sweep_factory(search, zoo), points, so);
  r.points = outcomes.size();
  std::size_t invalid = 0, pruned = 0;
  const PlanOutcome* first_invalid = nullptr;
  for (const auto& o : outcomes) {
    r.simulated += o.status == PlanStatus::simulated;
    pruned += o.status == PlanStatus::pruned_oom;
    if (o.status == PlanStatus::invalid && invalid++ == 0) first_invalid = &o;
    r.fitting += o.fits();
  }
  const PlanOutcome* best = best_plan(outcomes);
  if (!best) {
    // Say which filter emptied the search: a layout the cluster cannot take
    // (the first loader message), the analytic memory model, or the simulated peaks.
    r.reason = "no plan fits: " + std::to_string(r.points) + " plans: " + std::to_string(invalid) +
               " not valid on this cluster, " + std::to_string(pruned) + " over memory by the analytic model, " +
               std::to_string(r.simulated) + " simulated and none fits GPU, host and NVMe memory";
    if (first_invalid) r.reason += " (first invalid: " + first_invalid->reason_key + ": " + first_invalid->reason + ")";
    return r;
  }
  r.found = true;
  r.best = *best;
  account_job(spec, r, card_storage(path));
  return r;
}

}  // namespace

CompareResult run_compare(const CompareSpec& spec, const Zoo& zoo, const CompareOptions& options) {
  CompareResult out;
  out.file = spec.file;
  out.title = spec.title;
  out.tokens = spec.tokens;
  for (std::size_t i = 0; i < spec.candidates.size(); ++i)
    out.rows.push_back(run_candidate(spec, spec.candidates[i], zoo, options, i));
  std::vector<ParetoPoint> points;
  for (const auto& r : out.rows) {
    ParetoPoint p;  // pareto_front's two axes, here effective time and cost
    p.eligible = r.found;
    p.step_time_s = r.effective_time_s;
    p.peak_memory_bytes = r.cost;
    points.push_back(p);
  }
  const std::vector<bool> front = pareto_front(points);
  for (std::size_t i = 0; i < out.rows.size(); ++i) out.rows[i].pareto = front[i];
  return out;
}

}  // namespace trainsim
