// Assembles the per-stage memory from model states, activations and buffers;
// the model is described in memory_model.hpp.
#include "sim/memory/memory_model.hpp"

#include <algorithm>

#include "sim/core/format.hpp"

#include "sim/memory/comm_buffers.hpp"
#include "sim/memory/inflight.hpp"
#include "sim/memory/model_states.hpp"
#include "sim/memory/moe_memory.hpp"
#include "sim/memory/zero3_gathers.hpp"
#include "sim/spec/sharding.hpp"
#include "sim/model/activations.hpp"
#include "sim/model/lora.hpp"
#include "sim/model/params.hpp"
#include "sim/model/stage_split.hpp"

namespace trainsim {
namespace {

// What every stage shares, computed once.
struct Common {
  const Scenario& s;
  ParamCounts counts;
  ActivationShape shape;
  ModelStateBytes states;  // bytes per parameter
  ModelStateBytes frozen;  // bytes per frozen parameter (LoRA's base weights)
  ModelStateBytes expert;  // bytes per routed-expert parameter: sharded over expert-dp (moe_memory.hpp)
  StageSplit split;
  int micro_batches = 1;
};

Common make_common(const Scenario& s) {
  const ParallelPlan& p = s.parallel;
  ModelStateOptions expert = model_state_options(s);
  expert.shard_group = std::max(1, p.expert_dp());
  Common c{s,
           count_params(s.model),
           activation_shape(s),
           model_state_bytes_per_param(model_state_options(s)),
           frozen_state_bytes(model_state_options(s)),
           model_state_bytes_per_param(expert),
           split_layers(s.model.layers, p.pp, p.vp, p.embedding_in_pp_split),
           s.num_micro_batches()};
  return c;
}

// Parameters one GPU of stage i holds (its TP shard; params.hpp stage_params),
// LoRA adapters included (lora.hpp).
std::int64_t stage_params(const Common& c, int i) {
  const int pp = c.s.parallel.pp, tp = c.s.parallel.tp, layers = c.split.layers(i);
  const FineTuning& f = c.s.training.finetune;
  return trainsim::stage_params(c.s.model, tp, layers, i == 0, i == pp - 1, pp).total() +
         static_cast<std::int64_t>(layers) * lora_layer_params_per_tp_rank(c.s.model, f, tp);
}

// Stored activations of stage i at its peak, plus the count of in-flight
// (chunk-)micro-batches.
Bytes stored_activations(const Common& c, int i, int& in_flight) {
  const ParallelPlan& p = c.s.parallel;
  const ModelSpec& m = c.s.model;
  std::vector<int> held = in_flight_per_chunk(p.schedule, p.pp, p.vp, i, c.micro_batches);
  Bytes total;
  in_flight = 0;
  for (int chunk = 0; chunk < c.split.chunks(); ++chunk) {
    const int layers = c.split.chunk_layers(i, chunk);
    const Bytes one = m.is_moe() ? moe_chunk_stored(c.s, c.shape, chunk_first_layer(c.split, i, chunk), layers)
                                 : chunk_stored_activations(m, c.shape, layers);
    total += one * static_cast<double>(held[chunk]);
    in_flight += held[chunk];
  }
  if (i == 0) total += embedding_activations(m, c.shape) * held.front();
  if (i == p.pp - 1) total += output_activations(m, c.shape) * held.back();
  if (i == p.pp - 1 && m.is_moe() && m.mtp_layers > 0)  // MTP: a layer and a loss per module (moe_memory.hpp)
    total += (moe_chunk_stored(c.s, c.shape, m.layers - 1, 1) + output_activations(m, c.shape)) *
             static_cast<double>(m.mtp_layers * held.back());
  if (c.s.memory.convention == MemoryConvention::deepspeed && i < p.pp - 1) {
    double e = activation_element_bytes(c.shape.precision);
    double sp = c.shape.sequence_parallel ? c.shape.tp : 1;
    Bytes stage_output(e * c.shape.seq_len / c.shape.cp * c.shape.micro_batch * m.hidden / sp);
    total += stage_output * in_flight;  // DeepSpeed pipe buffers keep each output until its backward
  }
  return total;
}

// Transient of the running backward: one layer (a checkpointed group with the
// uniform method), or the loss on the last stage.
Bytes working_activations(const Common& c, int i) {
  Bytes w;
  for (int chunk = 0; chunk < c.split.chunks(); ++chunk) {
    const int layers = c.split.chunk_layers(i, chunk);
    w = std::max(w, c.s.model.is_moe() ? moe_chunk_working(c.s, c.shape, chunk_first_layer(c.split, i, chunk), layers)
                                       : chunk_backward_working(c.s.model, c.shape, layers));
  }
  if (i == c.s.parallel.pp - 1) w = std::max(w, output_working(c.s.model, c.shape));
  return w;
}

// Model states of `params` parameters of which `trainable` train (the rest
// frozen) and `expert` of those are routed-expert parameters, sharded over
// expert-dp (moe_memory.hpp).
MemoryBreakdown static_states(const Common& c, std::int64_t params, std::int64_t trainable, std::int64_t expert) {
  const double n = static_cast<double>(trainable - expert), frozen = static_cast<double>(params - trainable);
  const double x = static_cast<double>(expert);
  MemoryBreakdown b;
  b.params = Bytes(c.states.params * n + c.expert.params * x + c.frozen.params * frozen);
  b.grads = Bytes(c.states.grads * n + c.expert.grads * x);
  b.optimizer_states = Bytes(c.states.optimizer * n + c.expert.optimizer * x);
  return b;
}

// The GPU's parameters of stage i: `params` all, `expert` its routed experts
// (0 for a dense model), `resident` what it owns under ZeRO-3.
struct StageCounts {
  std::int64_t params = 0, expert = 0, resident = 0;
};
StageCounts stage_counts(const Common& c, int i) {
  const Scenario& s = c.s;
  StageCounts n;
  if (s.model.is_moe()) {
    const RankParams r = moe_stage_params(s, c.split, i);
    n.params = r.total();
    n.expert = r.expert;
  } else {
    n.params = stage_params(c, i);
  }
  const double dense = static_cast<double>(n.params - n.expert), expert = static_cast<double>(n.expert);
  n.resident =
      s.parallel.zero_stage >= 3
          ? static_cast<std::int64_t>(dense / shard_ranks(s.parallel) + expert / std::max(1, s.parallel.expert_dp()))
          : n.params;
  return n;
}

// DeepSpeed's pinned swap buffers of one GPU holding `local` parameters, whose
// largest tensor partition is `largest` (memory_model.hpp). Each optimizer
// buffer holds the largest sub-group (stage3.py largest_numel); a sub-group
// closes only at a tensor's end, so it is never smaller than that tensor's
// partition (sub_group_size 0: one tensor per group).
Bytes swap_buffers(const Scenario& s, double local, double largest) {
  const OffloadPlan& o = s.offload;
  double b = 0;
  if (o.optimizer == OffloadDevice::nvme)
    b += o.optimizer_buffer_count * std::min(std::max({1.0, s.memory.sub_group_size, largest}), local) * 4.0;
  if (o.params == OffloadDevice::nvme) b += o.param_buffer_count * o.param_buffer_elements * 2.0;
  return Bytes(b);
}

// Host bytes of one GPU holding `local` parameters beyond the offloaded states
// (model_states.cpp) and the swap buffers:
//  * ZeRO-2 with the optimizer offloaded and m > 1 micro-batches per step:
//    DeepSpeed accumulates each partition's gradients through the host, in a
//    buffer of param.numel() elements of the parameter's dtype, pinned when
//    pin_memory (stage_1_and_2.py async_accumulate_grad_in_cpu_via_gpu,
//    buffer_to_accumulate_to_in_cpu): local x (2 B for 16-bit training, 4 B fp32).
//    ZeRO-3 accumulates into the fp32 gradient partition already on the host.
//  * ZeRO-3 with the parameters on NVMe: the first offload_param.max_in_cpu
//    elements of the GPU's 16-bit partition stay in a flat host buffer
//    (stage3.py _create_fp16_partitions_with_defragmentation: flat_buffer_size
//    capped at max_in_cpu over the parameter groups); only the rest lives on
//    NVMe: min(local, max_in_cpu) x weight bytes move from NVMe to the host.
Bytes host_grad_accumulation(const Scenario& s, double local) {
  if (s.parallel.zero_stage != 2 || s.offload.optimizer == OffloadDevice::none || s.num_micro_batches() <= 1)
    return Bytes();
  return Bytes(local * (s.training.precision == Precision::fp32 ? 4.0 : 2.0));
}
Bytes host_param_cache(const Scenario& s, double local) {
  if (s.offload.params != OffloadDevice::nvme) return Bytes();
  return Bytes(std::min(local, std::max(0.0, s.offload.max_in_cpu_elements)) * weight_bytes(s.training.precision));
}

// ZeRO-3 keeps tensors below memory.param_persistence_threshold gathered
// (params.hpp small_layer_params_per_tp_rank): their bytes beyond the GPU's
// partition, or all of them when the partitions are offloaded.
Bytes persistent_params(const Scenario& s, int layers) {
  if (s.parallel.zero_stage < 3 || s.memory.convention == MemoryConvention::fsdp) return Bytes();
  const double small = static_cast<double>(
      small_layer_params_per_tp_rank(s.model, s.parallel.tp, s.memory.param_persistence_threshold) * layers);
  const double shard = shard_ranks(s.parallel);
  const double extra = s.offload.params != OffloadDevice::none ? 1.0 : 1.0 - 1.0 / shard;
  return Bytes(small * extra * weight_bytes(s.training.precision));
}

// Transformer Engine's FP8 weight cache (activations.hpp
// fp8_weight_cache_bytes): the stage's linear weights, cast in the first
// micro-batch and kept. Not modelled with ZeRO-3 / FSDP (their units are
// gathered and freed; TE's workspace there is not counted).
Bytes fp8_weight_cache(const Scenario& s, int layers) {
  if (!quantized_gemms(s.training.precision) || s.parallel.zero_stage >= 3) return Bytes();
  const double cache = weight_cache_bytes(s.training.precision, s.training.fp8_recipe.value_or(Fp8Recipe::delayed));
  return Bytes(cache * static_cast<double>(linear_weights_per_tp_rank(s.model, s.parallel.tp)) * layers);
}

StageMemory evaluate_stage(const Common& c, int i) {
  const Scenario& s = c.s;
  StageMemory st;
  st.stage = i;
  st.layers = c.split.layers(i);
  st.has_embedding = i == 0;
  st.has_output = i == s.parallel.pp - 1;
  const StageCounts counts = stage_counts(c, i);
  st.params = counts.params;
  st.trainable = trainable_params(s.model, s.training.finetune, s.parallel.tp, st.layers, st.params);
  double shard = shard_ranks(s.parallel);
  st.params_resident = counts.resident;
  CommBuffers comm = comm_buffers(s, static_cast<double>(st.trainable));
  const Zero3Peak gathered = zero3_backward_peak(s, c.split, i);

  MemoryBreakdown backward = static_states(c, st.params, st.trainable, counts.expert);
  backward.params += persistent_params(s, st.layers) + fp8_weight_cache(s, st.layers);
  backward.grads += deferred_grads(s, c.split, i);  // sharded gradients reduced after the last backward
  backward.activations = stored_activations(c, i, st.in_flight) + working_activations(c, i);
  backward.comm_buffers =
      comm.backward + gathered.total() + (counts.expert > 0 ? moe_dispatch_buffers(s, c.shape) : Bytes());
  backward.zero3_gathered = gathered.gathered;
  backward.other = s.memory.cuda_context + backward.activations * s.memory.allocator_overhead;

  MemoryBreakdown step = static_states(c, st.params, st.trainable, counts.expert);
  step.params += persistent_params(s, st.layers) + fp8_weight_cache(s, st.layers);
  step.comm_buffers = comm.step;
  step.other = s.memory.cuda_context;

  // Reused ZeRO-3 units (zero3_held_after_forward) are held at the end of the
  // forward pass, with the stored activations and the working memory.
  const Bytes held = zero3_held_after_forward(s, c.split, i);
  if (held.value() > 0) {
    MemoryBreakdown fwd_end = backward;
    fwd_end.comm_buffers = comm.backward + held;
    fwd_end.zero3_gathered = held;
    if (fwd_end.total() > backward.total()) backward = fwd_end;
  }

  bool step_wins = step.total() > backward.total();
  st.peak_phase = step_wins ? MemoryPhase::step : MemoryPhase::backward;
  st.peak = step_wins ? step : backward;
  const double local = static_cast<double>(st.params) / (s.parallel.zero_stage >= 1 ? shard : 1.0);
  const double local_trained = static_cast<double>(st.trainable) / (s.parallel.zero_stage >= 1 ? shard : 1.0);
  const double xe = static_cast<double>(counts.expert), n = static_cast<double>(st.trainable) - xe;
  const double frozen = static_cast<double>(st.params - st.trainable);
  const Bytes cached = host_param_cache(s, local);
  const bool vocab = i == 0 || i == s.parallel.pp - 1;
  const double largest =  // ZeRO-3 sub-groups hold whole tensors' partitions (swap_buffers)
      s.parallel.zero_stage >= 3 ? static_cast<double>(largest_param_tensor(s.model, s.parallel.tp, vocab)) / shard
                                 : 0.0;
  st.host_offload = Bytes(c.states.host * n + c.expert.host * xe + c.frozen.host * frozen) +
                    swap_buffers(s, local_trained, largest) + cached + host_grad_accumulation(s, local_trained);
  st.nvme_offload = Bytes(c.states.nvme * n + c.expert.nvme * xe + c.frozen.nvme * frozen) - cached;
  return st;
}

void summarise(const Scenario& s, MemoryResult& r) {
  Bytes host, nvme;
  for (const StageMemory& st : r.stages) {
    if (st.peak.total() > r.peak) {
      r.peak = st.peak.total();
      r.at_peak = st.peak;
      r.peak_stage = st.stage;
    }
    r.params_per_gpu = std::max(r.params_per_gpu, st.params_resident);
    host = std::max(host, st.host_offload);
    nvme = std::max(nvme, st.nvme_offload);
  }
  const double gpus_per_node = std::min(s.cluster.node.gpus, s.gpus);
  r.host_peak_per_node = host * gpus_per_node;
  r.nvme_peak_per_node = nvme * gpus_per_node;
  r.gpu_memory = s.cluster.node.gpu.hbm;
  r.host_memory = s.cluster.node.host_memory;
  r.nvme_capacity = s.cluster.node.nvme_capacity;
  r.verdict = judge_memory(r.needs());
}

}  // namespace

const char* to_string(MemoryPhase p) { return p == MemoryPhase::step ? "step" : "backward"; }

MemoryVerdict judge_memory(const MemoryNeeds& n) {
  MemoryVerdict v;
  v.gpu_fits = n.gpu_peak <= n.gpu_memory;
  v.host_fits = n.host_peak_per_node <= n.host_memory;
  v.nvme_fits = n.nvme_peak_per_node <= n.nvme_capacity;
  return v;
}

std::string memory_shortfall(const MemoryNeeds& n) {
  const MemoryVerdict v = judge_memory(n);
  std::string out;
  auto part = [&](bool fits, const char* what, Bytes need, Bytes have) {
    if (fits) return;
    auto gib = [](Bytes b) { return fixed(b.value() / kGiB, 1); };
    out += std::string(out.empty() ? "" : "; ") + what + " needs " + gib(need) + " GiB of " + gib(have) + " GiB (" +
           gib(need - have) + " GiB over)";
  };
  part(v.gpu_fits, "GPU memory", n.gpu_peak, n.gpu_memory);
  part(v.host_fits, "host memory per node", n.host_peak_per_node, n.host_memory);
  part(v.nvme_fits, "NVMe per node", n.nvme_peak_per_node, n.nvme_capacity);
  return out;
}

MemoryResult compute_memory(const Scenario& s) {
  Common c = make_common(s);
  MemoryResult r;
  r.convention = s.memory.convention;
  r.params_total = c.counts.total;
  for (int i = 0; i < s.parallel.pp; ++i) r.stages.push_back(evaluate_stage(c, i));
  summarise(s, r);
  return r;
}

}  // namespace trainsim
