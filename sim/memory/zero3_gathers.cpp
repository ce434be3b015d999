// ZeRO-3 gathers unit by unit; the model and its sources are in zero3_gathers.hpp.
#include "sim/memory/zero3_gathers.hpp"

#include <algorithm>

#include "sim/memory/model_states.hpp"
#include "sim/model/lora.hpp"
#include "sim/model/params.hpp"
#include "sim/spec/sharding.hpp"

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
// `kept` (pass order, may be empty): units held after their use for the next pass.
Zero3Peak pass_peak(const Scenario& s, const Zero3Units& u, const std::vector<char>& kept) {
  const double w = zero3_weight_bytes(s), g = zero3_grad_bytes(s);
  Zero3Peak best;
  std::size_t launched = 0;
  for (std::size_t j = 0; j < u.gathered.size(); ++j) {
    launched = zero3_gather_end(u.gathered, j, launched, s.memory);
    double live = 0;
    for (std::size_t k = j; k < launched; ++k) live += u.gathered[k];
    for (std::size_t k = 0; k < j && k < kept.size(); ++k) live += kept[k] ? u.gathered[k] : 0;
    const Zero3Peak here{Bytes(live * w), Bytes(u.trainable[j] * g)};
    if (here.total() > best.total()) best = here;
  }
  return best;
}

// FSDP's life cycle without pipeline parallelism (zero3_fsdp_lifecycle): a
// backward pass over `u` (backward order) that finds the units its forward
// kept: all of them gathered (reshard false) or as N-sharded copies.
Zero3Peak fsdp_pass_peak(const Scenario& s, const Zero3Units& u) {
  const double w = zero3_weight_bytes(s), g = zero3_grad_bytes(s);
  const int reshard = resolved_reshard(s);
  Zero3Peak best;
  std::size_t launched = 0;
  for (std::size_t j = 0; j < u.gathered.size(); ++j) {
    launched = zero3_gather_end(u.gathered, j, launched, s.memory);
    double live = 0;
    for (std::size_t k = j; k < u.gathered.size(); ++k)
      live += k < launched || reshard == 0 ? u.gathered[k] : u.gathered[k] / reshard;
    const Zero3Peak here{Bytes(live * w), Bytes(u.trainable[j] * g)};
    if (here.total() > best.total()) best = here;
  }
  return best;
}

// With pipeline parallelism: every unit of every chunk gathered (see zero3_gathers.hpp).
Zero3Peak pipeline_peak(const Scenario& s, const StageSplit& split, int stage) {
  const int pp = s.parallel.pp, vstages = pp * split.chunks();
  double live = 0;
  for (int chunk = 0; chunk < split.chunks(); ++chunk) {
    const int vs = chunk * pp + stage;
    for (double x : zero3_units(s, split.chunk_layers(stage, chunk), vs == 0, vs == vstages - 1).gathered) live += x;
  }
  return Zero3Peak{Bytes(live * zero3_weight_bytes(s)), Bytes()};
}

}  // namespace

Zero3Units zero3_units(const Scenario& s, int layers, bool first, bool last) {
  const ParallelPlan& p = s.parallel;
  const StageParams sp = stage_params(s.model, p.tp, layers, first, last, p.pp);
  Zero3Units u;
  const double adapters = static_cast<double>(lora_layer_params_per_tp_rank(s.model, s.training.finetune, p.tp));
  u.params.assign(layers, static_cast<double>(layer_params_per_tp_rank(s.model, p.tp)) + adapters);
  if (u.params.empty()) u.params.push_back(0);
  u.params.front() += static_cast<double>(sp.embedding);
  u.params.back() += static_cast<double>(sp.output);
  u.gathered = u.params;
  u.trainable = u.params;
  if (s.training.finetune.lora()) u.trainable.assign(u.params.size(), layers > 0 ? adapters : 0.0);
  const double persistent =
      static_cast<double>(small_layer_params_per_tp_rank(s.model, p.tp, s.memory.param_persistence_threshold));
  if (layers > 0 && s.memory.convention != MemoryConvention::fsdp)  // FSDP2 shards every parameter
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

std::vector<char> zero3_kept(const std::vector<double>& fwd_gathered, bool forward, bool next_forward,
                             const MemoryOptions& m) {
  const std::size_t n = fwd_gathered.size();
  std::vector<char> kept(n, 0);
  if (m.max_reuse_distance <= 0 || n == 0) return kept;
  std::vector<double> next(n);  // the next pass's units in its order
  for (std::size_t k = 0; k < n; ++k) next[k] = fwd_gathered[next_forward ? k : n - 1 - k];
  const std::size_t window = zero3_gather_end(next, 0, 0, m);
  // before[i]: elements of the units ahead of unit i in forward order.
  std::vector<double> before(n + 1, 0.0);
  for (std::size_t k = 0; k < n; ++k) before[k + 1] = before[k] + fwd_gathered[k];
  const double total = before[n];
  for (std::size_t i = 0; i < n; ++i) {
    const double ahead = before[i], behind = total - before[i + 1];
    // The rest of this pass, then the next pass up to unit i.
    const double distance = (forward ? behind : ahead) + (next_forward ? ahead : behind);
    const std::size_t at = next_forward ? i : n - 1 - i;
    kept[i] = at < window && distance <= m.max_reuse_distance;
  }
  return kept;
}

bool zero3_reuses(const Scenario& s) {
  return zero3_gathers(s) && s.parallel.pp == 1 && s.parallel.vp == 1 && s.memory.max_reuse_distance > 0 &&
         !zero3_fsdp_lifecycle(s) && s.memory.convention != MemoryConvention::fsdp;
}

Bytes zero3_held_after_forward(const Scenario& s, const StageSplit& split, int stage) {
  if (!zero3_reuses(s)) return Bytes();
  const Zero3Units u = zero3_units(s, split.chunk_layers(stage, 0), true, true);
  // 1F1B: the backward of the same micro-batch follows; GPipe: the next forward.
  const bool gpipe = s.parallel.schedule == Schedule::gpipe && s.num_micro_batches() > 1;
  const std::vector<char> kept = zero3_kept(u.gathered, true, gpipe, s.memory);
  double held = 0;
  for (std::size_t i = 0; i < kept.size(); ++i) held += kept[i] ? u.gathered[i] : 0;
  return Bytes(held * zero3_weight_bytes(s));
}

double zero3_weight_bytes(const Scenario& s) { return weight_bytes(s.training.precision); }

// Megatron's fp32 main_grad (or training.grad_dtype); FSDP2's gradients in
// reduce_dtype (the reduce-scatter input, _fsdp_collectives.py
// foreach_reduce; fp32 in torchtitan, training.grad_dtype); DeepSpeed's
// 16-bit .grad.
double zero3_grad_bytes(const Scenario& s) {
  if (s.memory.convention == MemoryConvention::deepspeed) return weight_bytes(s.training.precision);
  return s.training.grad_bytes > 0 ? s.training.grad_bytes : kFp32;
}

bool zero3_fsdp_lifecycle(const Scenario& s) {
  return zero3_gathers(s) && (resolved_reshard(s) != 1 || pipeline_defers_reduction(s));
}

Bytes deferred_grads(const Scenario& s, const StageSplit& split, int stage) {
  if (!pipeline_defers_reduction(s)) return Bytes();
  const int pp = s.parallel.pp, vstages = pp * split.chunks();
  double params = 0;
  for (int chunk = 0; chunk < split.chunks(); ++chunk) {
    const int vs = chunk * pp + stage;
    for (double x : zero3_units(s, split.chunk_layers(stage, chunk), vs == 0, vs == vstages - 1).trainable) params += x;
  }
  return Bytes(params * zero3_grad_bytes(s));
}

bool zero3_gathers(const Scenario& s) { return s.parallel.zero_stage >= 3 && shard_ranks(s.parallel) > 1; }

Zero3Peak zero3_backward_peak(const Scenario& s, const StageSplit& split, int stage) {
  Zero3Peak best;
  if (!zero3_gathers(s)) return best;
  if (zero3_fsdp_lifecycle(s) && pipeline_defers_reduction(s)) return pipeline_peak(s, split, stage);
  const int pp = s.parallel.pp, vstages = pp * split.chunks();
  for (int chunk = 0; chunk < split.chunks(); ++chunk) {
    const int vs = chunk * pp + stage;
    Zero3Units u = zero3_units(s, split.chunk_layers(stage, chunk), vs == 0, vs == vstages - 1);
    // A backward pass followed by another pass of the step holds the units it
    // keeps for it (zero3_kept) from their use to its end.
    std::vector<char> kept;
    if (zero3_reuses(s) && s.num_micro_batches() > 1)
      kept = zero3_kept(u.gathered, false, s.parallel.schedule != Schedule::gpipe, s.memory);
    std::reverse(kept.begin(), kept.end());
    std::reverse(u.params.begin(), u.params.end());
    std::reverse(u.gathered.begin(), u.gathered.end());
    std::reverse(u.trainable.begin(), u.trainable.end());
    const Zero3Peak here = zero3_fsdp_lifecycle(s) ? fsdp_pass_peak(s, u) : pass_peak(s, u, kept);
    if (here.total() > best.total()) best = here;
  }
  return best;
}

}  // namespace trainsim
