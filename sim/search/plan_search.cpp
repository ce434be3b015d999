#include "sim/search/plan_search.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "sim/config/error.hpp"
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
  MemoryResult m = compute_memory(s);
  out.analytic_peak_bytes = m.peak.value();
  out.gpu_memory_bytes = m.gpu_memory.value();
  if (options.prune_oom && !m.fits) {
    out.status = PlanStatus::pruned_oom;
    out.reason_key = "memory";
    out.reason = "analytic peak exceeds GPU memory";
    return out;
  }
  try {
    out.result = simulate_step(s);
  } catch (const ConfigError& e) {  // a plan the step simulator cannot honour
    out.status = PlanStatus::invalid;
    out.reason_key = e.where().key;
    out.reason = e.message();
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

std::vector<PlanOutcome> evaluate_plans(const ScenarioFactory& factory, const std::vector<PlanPoint>& points,
                                        const SearchOptions& options) {
  std::vector<PlanOutcome> outcomes(points.size());
  std::atomic<std::size_t> next{0};
  std::size_t done = 0;
  std::mutex progress_mutex;
  auto worker = [&] {
    for (std::size_t i = next++; i < points.size(); i = next++) {
      outcomes[i] = evaluate_point(factory, points[i], options);
      if (!options.progress) continue;
      std::lock_guard<std::mutex> lock(progress_mutex);
      options.progress(++done, points.size());
    }
  };
  int threads = std::max(1, options.threads);
  if (threads == 1) {
    worker();
    return outcomes;
  }
  std::vector<std::jthread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  pool.clear();  // joins
  return outcomes;
}

const PlanOutcome* fastest_fitting(const std::vector<PlanOutcome>& outcomes) {
  const PlanOutcome* best = nullptr;
  for (const auto& o : outcomes)
    if (o.fits() && (!best || o.result.step_time_s < best->result.step_time_s)) best = &o;
  return best;
}

}  // namespace trainsim
