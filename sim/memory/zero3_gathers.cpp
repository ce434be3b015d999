// ZeRO-3 gathers unit by unit; the model and its sources are in zero3_gathers.hpp.
#include "sim/memory/zero3_gathers.hpp"

#include <algorithm>

#include "sim/memory/model_states.hpp"
#include "sim/model/params.hpp"

namespace trainsim {
namespace {

// Megatron's gradients of a gathered unit are fp32 (main_grad), as its
// gradient buffer is (model_states.hpp).
constexpr double kFp32 = 4;

// May a prefetch of `next` elements join `live` gathered ones?
bool live_allows(double live, double next, const MemoryOptions& m) {
  return m.max_live_parameters <= 0 || live + next <= m.max_live_parameters;
}

// The peak of one backward pass over `units` (backward order).
Zero3Peak pass_peak(const Scenario& s, const Zero3Units& u) {
  const double w = zero3_weight_bytes(s), g = zero3_grad_bytes(s);
  Zero3Peak best;
  std::size_t launched = 0;
  for (std::size_t j = 0; j < u.gathered.size(); ++j) {
    launched = zero3_gather_end(u.gathered, j, launched, s.memory);
    double live = 0;
    for (std::size_t k = j; k < launched; ++k) live += u.gathered[k];
    const Zero3Peak here{Bytes(live * w), Bytes(u.params[j] * g)};
    if (here.total() > best.total()) best = here;
  }
  return best;
}

}  // namespace

Zero3Units zero3_units(const Scenario& s, int layers, bool first, bool last) {
  const ParallelPlan& p = s.parallel;
  const StageParams sp = stage_params(s.model, p.tp, layers, first, last, p.pp);
  Zero3Units u;
  u.params.assign(layers, static_cast<double>(layer_params_per_tp_rank(s.model, p.tp)));
  if (u.params.empty()) u.params.push_back(0);
  u.params.front() += static_cast<double>(sp.embedding);
  u.params.back() += static_cast<double>(sp.output);
  u.gathered = u.params;
  const double persistent =
      static_cast<double>(small_layer_params_per_tp_rank(s.model, p.tp, s.memory.param_persistence_threshold));
  if (layers > 0)
    for (double& x : u.gathered) x = std::max(0.0, x - persistent);
  return u;
}

std::size_t zero3_gather_end(const std::vector<double>& gathered, std::size_t j, std::size_t launched,
                             const MemoryOptions& m) {
  std::size_t next = std::max(launched, std::min(j + 1, gathered.size()));  // unit j itself, always
  double ahead = 0;
  for (std::size_t k = j + 1; k < next; ++k) ahead += gathered[k];
  while (next < gathered.size() && live_allows(gathered[j] + ahead, gathered[next], m) &&
         (next == j + 1 || ahead < m.prefetch_bucket_elements)) {
    ahead += gathered[next];
    ++next;
  }
  return next;
}

double zero3_weight_bytes(const Scenario& s) { return weight_bytes(s.training.precision); }

double zero3_grad_bytes(const Scenario& s) {
  return s.memory.convention == MemoryConvention::megatron ? kFp32 : weight_bytes(s.training.precision);
}

bool zero3_gathers(const Scenario& s) {
  return s.parallel.zero_stage >= 3 && static_cast<long long>(s.parallel.dp) * s.parallel.cp > 1;
}

Zero3Peak zero3_backward_peak(const Scenario& s, const StageSplit& split, int stage) {
  Zero3Peak best;
  if (!zero3_gathers(s)) return best;
  const int pp = s.parallel.pp, vstages = pp * split.chunks();
  for (int chunk = 0; chunk < split.chunks(); ++chunk) {
    const int vs = chunk * pp + stage;
    Zero3Units u = zero3_units(s, split.chunk_layers(stage, chunk), vs == 0, vs == vstages - 1);
    std::reverse(u.params.begin(), u.params.end());
    std::reverse(u.gathered.begin(), u.gathered.end());
    const Zero3Peak here = pass_peak(s, u);
    if (here.total() > best.total()) best = here;
  }
  return best;
}

}  // namespace trainsim
