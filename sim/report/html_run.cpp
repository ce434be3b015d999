// The data of `trainsim run --html` (html_report.hpp): summary.json as the
// command wrote it, the per-GPU memory of per_gpu.csv reduced to one GPU per
// pipeline stage, and the timeline trace.json holds (HBM counters of every
// simulated GPU; the spans of the first stage's GPU).
#include <algorithm>
#include <cmath>
#include <map>

#include "sim/report/html_report.hpp"
#include "sim/report/report_format.hpp"

namespace trainsim {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// Microseconds rounded to the nanosecond (the trace's unit, shorter text).
double micros(Seconds s) { return std::round(s.value() * 1e9) / 1e3; }

nlohmann::json breakdown_json(const MemoryBreakdown& m) {
  return {{"params", whole_bytes(m.params.value())},
          {"grads", whole_bytes(m.grads.value())},
          {"optimizer_states", whole_bytes(m.optimizer_states.value())},
          {"activations", whole_bytes(m.activations.value())},
          {"comm_buffers", whole_bytes(m.comm_buffers.value())},
          {"other", whole_bytes(m.other.value())}};
}

const GpuStats* gpu_of_rank(const StepResult& r, int rank) {
  for (const GpuStats& g : r.per_gpu)
    if (g.rank == rank) return &g;
  return nullptr;
}

std::string label_of(const StepResult& r, int rank) {
  const GpuStats* g = gpu_of_rank(r, rank);
  return g ? "GPU " + std::to_string(rank) + " (" + rank_label(g->node, g->coord) + ")" : "GPU " + std::to_string(rank);
}

// Per pipeline stage, the GPU with the highest peak (the lowest rank of ties).
nlohmann::json stages_json(const StepResult& r) {
  std::map<int, const GpuStats*> best;
  for (const GpuStats& g : r.per_gpu) {
    const GpuStats*& b = best[g.coord.pp];
    if (!b || g.peak_bytes.value() > b->peak_bytes.value() ||
        (g.peak_bytes.value() == b->peak_bytes.value() && g.rank < b->rank))
      b = &g;
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [pp, g] : best)
    out.push_back({{"pp", pp},
                   {"rank", g->rank},
                   {"label", label_of(r, g->rank)},
                   {"peak_bytes", whole_bytes(g->peak_bytes.value())},
                   {"at_peak", breakdown_json(g->at_peak)}});
  return out;
}

// The "HBM in use" counter of each simulated GPU; samples at the same instant
// keep the last (the value the trace viewer shows after that instant).
nlohmann::json memory_json(const StepResult& r) {
  std::map<int, std::vector<const MemorySample*>> by_rank;
  for (const MemorySample& m : r.memory_samples) by_rank[m.rank].push_back(&m);
  nlohmann::json out = nlohmann::json::array();
  for (auto& [rank, samples] : by_rank) {
    std::stable_sort(samples.begin(), samples.end(),
                     [](const MemorySample* a, const MemorySample* b) { return a->t_s.value() < b->t_s.value(); });
    nlohmann::json t = nlohmann::json::array(), gib = nlohmann::json::array();
    for (std::size_t i = 0; i < samples.size(); ++i) {
      if (i + 1 < samples.size() && micros(samples[i + 1]->t_s) == micros(samples[i]->t_s)) continue;
      t.push_back(micros(samples[i]->t_s));
      gib.push_back(std::round(samples[i]->bytes.value() / kGiB * 1e4) / 1e4);
    }
    out.push_back({{"rank", rank}, {"label", label_of(r, rank)}, {"t_us", t}, {"gib", gib}});
  }
  return out;
}

// The lowest simulated rank of pipeline stage 0 that has spans.
int first_stage_rank(const StepResult& r) {
  int rank = -1;
  for (const TraceSpan& s : r.spans) {
    const GpuStats* g = gpu_of_rank(r, s.rank);
    if (g && g->coord.pp == 0 && (rank < 0 || s.rank < rank)) rank = s.rank;
  }
  return rank;
}

std::size_t index_of(std::vector<std::string>& names, const std::string& name) {
  auto it = std::find(names.begin(), names.end(), name);
  if (it != names.end()) return static_cast<std::size_t>(it - names.begin());
  names.push_back(name);
  return names.size() - 1;
}

nlohmann::json timeline_json(const StepResult& r) {
  const int rank = first_stage_rank(r);
  std::vector<std::string> names, cats;
  nlohmann::json spans = nlohmann::json::array();
  for (const TraceSpan& s : r.spans) {
    if (s.rank != rank) continue;
    spans.push_back({static_cast<int>(s.lane), micros(s.start_s), micros(s.end_s - s.start_s), index_of(names, s.name),
                     index_of(cats, s.category)});
  }
  nlohmann::json lanes = nlohmann::json::array();
  for (Lane l : {Lane::compute, Lane::tp_comm, Lane::dp_comm, Lane::pp_p2p, Lane::pcie, Lane::nvme, Lane::host})
    lanes.push_back(to_string(l));
  return {{"rank", rank},   {"label", rank < 0 ? "" : label_of(r, rank)},
          {"lanes", lanes}, {"names", names},
          {"cats", cats},   {"spans", spans}};
}

}  // namespace

nlohmann::json html_run_data(const StepResult& r, const nlohmann::json& summary) {
  return {{"summary", summary}, {"stages", stages_json(r)}, {"memory", memory_json(r)}, {"timeline", timeline_json(r)}};
}

}  // namespace trainsim
