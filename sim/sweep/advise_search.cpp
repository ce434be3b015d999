#include "sim/sweep/advise_search.hpp"

#include <algorithm>
#include <limits>
#include <set>

namespace trainsim {
namespace {

using Move = std::pair<std::string, std::string>;
using Node = std::vector<std::size_t>;  // indices into the moves, ascending

double part(Bytes need, Bytes capacity) {
  if (need.value() <= 0) return 0;
  return capacity.value() > 0 ? need.value() / capacity.value() : std::numeric_limits<double>::infinity();
}

// The order of the beam: fitting plans first, fastest first; then plans that
// do not fit, closest to fitting first; plans that could not be built last.
struct BeamKey {
  int group = 2;
  double score = 0;  // lower is better
  bool operator<(const BeamKey& o) const { return group != o.group ? group < o.group : score < o.score; }
};

BeamKey beam_key(const PlanOutcome& o) {
  if (o.fits()) return {0, -o.result.tokens_per_s};
  if (o.status == PlanStatus::simulated) return {1, memory_ratio(o.result.memory_needs())};
  if (o.built) return {1, memory_ratio(o.analytic_needs)};
  return {};
}

PlanPoint point_of(const Node& n, const std::vector<Move>& moves) {
  PlanPoint p;
  for (std::size_t i : n) p.settings.push_back(moves[i]);
  return p;
}

// The beam's nodes of one level extended by one move on a key they do not change yet, each plan once.
std::vector<Node> extend(const std::vector<Node>& beam, const std::vector<Move>& moves, std::set<Node>& seen) {
  std::vector<Node> out;
  for (const Node& n : beam)
    for (std::size_t j = 0; j < moves.size(); ++j) {
      bool same_key = std::any_of(n.begin(), n.end(), [&](std::size_t i) { return moves[i].first == moves[j].first; });
      if (same_key) continue;
      Node m = n;
      m.insert(std::upper_bound(m.begin(), m.end(), j), j);
      if (seen.insert(m).second) out.push_back(std::move(m));
    }
  return out;
}

// The best `width` nodes of a level (stable: ties keep the level's order); unbuildable plans never.
std::vector<Node> beam_of(const std::vector<Node>& level, const std::vector<PlanOutcome>& outcomes, std::size_t width) {
  std::vector<std::size_t> order(level.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return beam_key(outcomes[a]) < beam_key(outcomes[b]); });
  std::vector<Node> beam;
  for (std::size_t i : order)
    if (beam.size() < width && beam_key(outcomes[i]).group < 2) beam.push_back(level[i]);
  return beam;
}

}  // namespace

double memory_ratio(const MemoryNeeds& n) {
  return std::max({part(n.gpu_peak, n.gpu_memory), part(n.host_peak_per_node, n.host_memory),
                   part(n.nvme_peak_per_node, n.nvme_capacity)});
}

AdviceSearch search_changes(const ScenarioFactory& factory, const std::vector<Move>& moves,
                            const AdviseOptions& options) {
  SearchOptions search;
  search.threads = options.threads;
  AdviceSearch out;
  std::set<Node> seen;
  std::vector<Node> level;
  for (std::size_t i = 0; i < moves.size(); ++i) level.push_back({i});
  seen.insert(level.begin(), level.end());
  for (int k = 1; k <= options.max_changed_keys && !level.empty(); ++k) {
    std::vector<PlanPoint> points;
    for (const Node& n : level) points.push_back(point_of(n, moves));
    std::vector<PlanOutcome> done = evaluate_plans(factory, points, search);
    out.evaluated.push_back(done.size());
    std::vector<Node> beam = beam_of(level, done, options.beam_width);
    out.outcomes.insert(out.outcomes.end(), std::make_move_iterator(done.begin()), std::make_move_iterator(done.end()));
    if (k < options.max_changed_keys) level = extend(beam, moves, seen);
  }
  return out;
}

}  // namespace trainsim
