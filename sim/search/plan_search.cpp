#include "sim/search/plan_search.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <mutex>

#include "sim/core/error.hpp"
#include "sim/core/sim_error.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/workload/step_sim.hpp"

namespace trainsim {
namespace {

// One point: build, check memory analytically, simulate.
PlanOutcome evaluate_point(const ScenarioFactory& factory, const PlanPoint& point, const SearchOptions& options) {
  PlanOutcome out;
  out.point = point;
  Scenario s;
  try {
    s = factory(point.overrides());
  } catch (const ConfigError& e) {
    out.status = PlanStatus::invalid;
    out.reason_key = e.where().key;
    out.reason = e.message();
    return out;
  }
  out.built = true;
  out.parallel = s.parallel;
  out.training = s.training;
  out.num_micro_batches = s.num_micro_batches();
  MemoryResult m = compute_memory(s);
  out.analytic_peak_bytes = m.peak.value();
  out.gpu_memory_bytes = m.gpu_memory.value();
  out.analytic_at_peak = m.at_peak;
  out.analytic_needs = m.needs();
  out.analytic_verdict = m.verdict;
  if (options.prune_oom && !m.fits()) {
    out.status = PlanStatus::pruned_oom;
    out.reason_key = "memory";
    out.reason = "analytic model: " + memory_shortfall(m.needs());
    return out;
  }
  try {
    out.result = simulate_step(s);
  } catch (const ConfigError& e) {  // a plan the step simulator cannot honour
    out.status = PlanStatus::invalid;
    out.reason_key = e.where().key;
    out.reason = e.message();
    return out;
  } catch (const SimulationError& e) {  // a simulator bug on this plan: one point lost, not the search
    out.status = PlanStatus::invalid;
    out.reason_key = "simulation";
    out.reason = std::string("internal error of the step simulation: ") + e.what();
    return out;
  }
  out.result.per_gpu.clear();
  out.result.per_gpu.shrink_to_fit();
  out.status = PlanStatus::simulated;
  return out;
}

}  // namespace

const char* to_string(PlanStatus s) {
  switch (s) {
    case PlanStatus::invalid: return "invalid";
    case PlanStatus::pruned_oom: return "pruned_oom";
    case PlanStatus::simulated: return "simulated";
  }
  return "?";
}

std::vector<std::string> PlanPoint::overrides() const {
  std::vector<std::string> o;
  o.reserve(settings.size());
  for (const auto& [k, v] : settings) o.push_back(k + "=" + v);
  return o;
}

std::string PlanPoint::label() const {
  std::string text;
  for (const auto& o : overrides()) text += (text.empty() ? "" : " ") + o;
  return text;
}

std::vector<PlanPoint> grid_points(const std::vector<SearchAxis>& axes) {
  std::vector<PlanPoint> points(1);
  for (const auto& axis : axes) {
    std::vector<PlanPoint> next;
    next.reserve(points.size() * axis.values.size());
    for (const auto& p : points)
      for (const auto& v : axis.values) {
        PlanPoint q = p;
        q.settings.emplace_back(axis.key, v);
        next.push_back(std::move(q));
      }
    points = std::move(next);
  }
  return points;
}

int worker_threads(int requested) { return std::clamp(requested, 1, std::max(1, tbb::info::default_concurrency())); }

std::vector<PlanOutcome> evaluate_plans(const ScenarioFactory& factory, const std::vector<PlanPoint>& points,
                                        const SearchOptions& options) {
  std::vector<PlanOutcome> outcomes(points.size());
  std::size_t done = 0;
  std::mutex progress_mutex;
  auto one = [&](std::size_t i) {
    outcomes[i] = evaluate_point(factory, points[i], options);
    if (!options.progress) return;
    std::lock_guard<std::mutex> lock(progress_mutex);
    options.progress(++done, points.size());
  };
  const int threads = worker_threads(options.threads);
  if (threads == 1) {
    for (std::size_t i = 0; i < points.size(); ++i) one(i);
    return outcomes;
  }
  // Grain 1: layouts differ by orders of magnitude in cost, so tbb balances point by point.
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, points.size(), 1),
                      [&](const tbb::blocked_range<std::size_t>& r) {
                        for (std::size_t i = r.begin(); i != r.end(); ++i) one(i);
                      });
  });
  return outcomes;
}

const PlanOutcome* fastest_fitting(const std::vector<PlanOutcome>& outcomes) {
  const PlanOutcome* best = nullptr;
  for (const auto& o : outcomes)
    if (o.fits() && (!best || o.result.step_time_s < best->result.step_time_s)) best = &o;
  return best;
}

}  // namespace trainsim
