#include "sim/workload/program_builder.hpp"

#include <algorithm>
#include <string>

#include "sim/memory/comm_buffers.hpp"
#include "sim/memory/zero3_gathers.hpp"
#include "sim/parallel/schedule.hpp"
#include "sim/workload/emitter.hpp"
#include "sim/workload/grad_buckets.hpp"
#include "sim/workload/offload_emitter.hpp"
#include "sim/workload/param_gather.hpp"
#include "sim/workload/piece_runs.hpp"
#include "sim/workload/zero3_passes.hpp"

namespace trainsim {
namespace {

// Gradient clipping all-reduces one fp32 value, the squared gradient norm
// (Megatron clip_grad_norm_fp32, DeepSpeed clip_grad_norm_).
constexpr Bytes kGradNormBytes(4);
// FP8 tensorwise scaling all-reduces one fp32 amax (StepPlan amax_tp_s).
constexpr Bytes kAmaxBytes(4);

std::string pass_label(bool forward, int mb, int chunk, int vp) {
  std::string l = std::string(forward ? "F" : "B") + " mb" + std::to_string(mb);
  return vp > 1 ? l + " c" + std::to_string(chunk) : l;
}

// Seconds of the cost model's tables (LayerTimes, EdgeTimes: doubles).
Seconds secs(double s) { return Seconds(s); }

class StageBuilder {
 public:
  StageBuilder(const Scenario& s, const StepPlan& p, CommCost& comm, int stage, bool detail, WorkBudget* budget)
      : p_(p),
        s_(s),
        comm_(comm),
        e_(p, stage, detail ? &comm : nullptr),
        stage_(stage),
        pp_(s_.parallel.pp),
        vp_(p.split.chunks()),
        vstages_(pp_ * vp_),
        m_(p.micro_batches),
        sp_(s_.parallel.sequence_parallel),
        zero_(s_.parallel.zero_stage),
        buffers_(comm_buffers(s_, static_cast<double>(mem().trainable))),
        grad_label_(e_.label("grad reduce")),
        off_(p, e_),
        buckets_(p, zero_, comm, e_, off_, buffers_.backward, grad_label_),
        zero3_(s, p, comm, e_, off_) {
    e_.set_budget(budget);
  }

  StageProgram build() {
    start_memory();
    auto order = stage_schedule(s_.parallel.schedule, pp_, vp_, stage_, m_);
    for (std::size_t i = 0; i < order.size(); ++i) {
      zero3_.set_next(i + 1 < order.size() ? &order[i + 1] : nullptr);
      order[i].forward ? forward(order[i]) : backward(order[i]);
    }
    zero3_.set_next(nullptr);
    finish_step();
    e_.program().hardware_flops = hardware_flops();
    return std::move(e_.program());
  }

 private:
  // ---- sizes of this stage
  int vstage(int chunk) const { return chunk * pp_ + stage_; }
  bool first(int chunk) const { return vstage(chunk) == 0; }
  bool last(int chunk) const { return vstage(chunk) == vstages_ - 1; }
  Bytes chunk_stored(int chunk) const {
    Bytes b = chunk_stored_activations(s_.model, p_.shape, p_.split.chunk_layers(stage_, chunk));
    if (first(chunk)) b += p_.embedding_stored;
    if (last(chunk)) b += p_.output_stored;
    if (stage_ < pp_ - 1) b += p_.stage_output_buffer;
    return b;
  }
  Bytes chunk_working(int chunk) const {
    Bytes w = chunk_backward_working(s_.model, p_.shape, p_.split.chunk_layers(stage_, chunk));
    return last(chunk) ? std::max(w, p_.output_working) : w;
  }
  // The units a ZeRO-3 pass over the chunk gathers, in pass order
  // (zero3_gathers.hpp); their gradients are reduced unit by unit.
  Zero3Units units(int chunk, bool forward) const {
    Zero3Units u = zero3_units(s_, p_.split.chunk_layers(stage_, chunk), first(chunk), last(chunk));
    if (!forward) {
      std::reverse(u.params.begin(), u.params.end());
      std::reverse(u.gathered.begin(), u.gathered.end());
      std::reverse(u.trainable.begin(), u.trainable.end());
    }
    return u;
  }
  // FLOPs one GPU of this stage executes in the step (recompute included).
  double hardware_flops() const {
    double per_mb = 0;
    for (int c = 0; c < vp_; ++c) {
      per_mb += p_.layer_flops(first_layer(c), p_.split.chunk_layers(stage_, c)) +
                (first(c) ? p_.edges.embedding_flops : 0) + (last(c) ? p_.edges.output_flops : 0);
    }
    return per_mb * m_;
  }
  const StageMemory& mem() const { return p_.memory.stages[stage_]; }
  // The model-wide index (0-based, as Hugging Face and DeepSpeed number the
  // modules) of the chunk's first layer: the layers of the virtual stages before it.
  int first_layer(int chunk) const {
    int n = 0;
    for (int v = 0; v < vstage(chunk); ++v) n += p_.split.chunk_layers(v % pp_, v / pp_);
    return n;
  }
  // Names what follows in a traced step: "L12 attn", "embedding", ...
  void at(const std::string& what) { e_.context(what); }
  void at_layer(int layer, const char* block) {
    if (e_.detail()) e_.context("L" + std::to_string(layer) + (*block ? " " : "") + block);
  }

  // ---- memory
  void start_memory() {
    e_.memory(true, MemKind::params, mem().peak.params);
    // The analytic backward peak counts the gradients a pipeline defers
    // (deferred_grads); the program allocates them itself, in deferred_grads.
    const bool backward_peak = mem().peak_phase == MemoryPhase::backward;
    e_.memory(true, MemKind::grads, mem().peak.grads - (backward_peak ? deferred(stage_) : Bytes()));
    e_.memory(true, MemKind::optimizer_states, mem().peak.optimizer_states);
    e_.memory(true, MemKind::other, s_.memory.cuda_context);
  }

  // ---- tensor and context parallel collectives of one block
  // One block (attention or MLP) of a pass between its TP collectives: with SP
  // an all-gather before and a reduce-scatter after, else an all-reduce after.
  // With tp_comm_overlap the collectives hide behind the block's compute. With
  // SP both do: Transformer Engine's userbuffers (initialize_ub in
  // transformer_engine/pytorch/module/base.py) split the all-gather into tp
  // chunks exchanged in a ring while the GEMM that consumes them (qkv_fprop,
  // fc1_fprop; proj_dgrad, fc2_dgrad in the backward) runs on the chunks
  // already there, and pipeline the reduce-scatter of the GEMM that produces
  // it (proj_fprop, fc2_fprop; the dgrad RS in bulk beside the wgrad GEMM);
  // the block's compute covers the all-gather first, then the reduce-scatter.
  void block_forward(Seconds seconds, Category c, int lbl, double flops) {
    if (p_.amax_tp_s > Seconds(0))  // FP8 tensorwise with SP: the block's amax over TP (StepPlan)
      e_.blocking(GroupKind::tp, CollectiveOp::all_reduce, kAmaxBytes, p_.amax_tp_s, Lane::tp_comm, Category::tp, lbl);
    const bool overlap = p_.overlap.tp_comm;
    const Seconds ag = sp_ ? p_.tp_ag_s : Seconds(0);
    const Seconds ag_exposed = overlap ? std::max(Seconds(0), ag - seconds) : ag;
    if (sp_) tp_collective(CollectiveOp::all_gather, ag_exposed, lbl);
    e_.compute(seconds, c, lbl, false, flops);
    const Seconds t = sp_ ? p_.tp_rs_s : p_.tp_ar_s;
    const Seconds left = std::max(Seconds(0), seconds - (ag - ag_exposed));  // compute not spent on the all-gather
    const Seconds exposed = overlap ? std::max(Seconds(0), t - left) : t;
    tp_collective(sp_ ? CollectiveOp::reduce_scatter : CollectiveOp::all_reduce, exposed, lbl);
  }
  // Megatron's scatter/gather: the received 1/tp pieces all-gathered over TP.
  void gather_received(int lbl) {
    at("p2p recv");
    if (p_.p2p_gather_s > Seconds(0))
      e_.blocking(GroupKind::tp, CollectiveOp::all_gather, p_.p2p_gather_bytes, p_.p2p_gather_s, Lane::tp_comm,
                  Category::pp, lbl);
  }
  // Ring attention's K/V exchange runs beside the attention block it feeds.
  Seconds exposed_cp(Seconds exchange, double attention) const {
    return p_.cp_overlapped ? std::max(Seconds(0), exchange - secs(attention)) : exchange;
  }
  // FP8 delayed scaling: the amaxes of the chunk's pass all-reduced on the
  // amax group when it ends; TE's weight casts in its first micro-batch (StepPlan).
  void amax_reduce(bool forward, int layers, int lbl) {
    const double per_layer = forward ? p_.amax_forward_bytes_per_layer : p_.amax_backward_bytes_per_layer;
    if (per_layer <= 0 || layers <= 0) return;
    at("fp8 amax");
    const Bytes bytes(per_layer * layers);
    e_.blocking(GroupKind::amax, CollectiveOp::all_reduce, bytes,
                comm_.time(CollectiveOp::all_reduce, bytes, p_.amax_group), Lane::dp_comm, Category::dp, lbl);
  }
  void cast_weights(const PassItem& it, int layers, int lbl) {
    if (it.micro_batch != 0 || p_.fp8_weight_cast_layer_s <= Seconds(0) || layers <= 0) return;
    at("fp8 weight cast");
    e_.compute(p_.fp8_weight_cast_layer_s * static_cast<double>(layers), Category::forward, lbl);
  }
  void tp_collective(CollectiveOp op, Seconds exposed, int lbl) {
    e_.blocking(GroupKind::tp, op, p_.tp_bytes, exposed, Lane::tp_comm, Category::tp, lbl);
  }
  // The LoRA adapters' TP collectives of block 0 (attention) or 1 (MLP) in a pass (StepPlan::lora_tp).
  void lora_tp(int block, bool backward, int lbl) {
    for (const StepPlan::TpCall& c : p_.lora_tp[block][backward ? 1 : 0])
      e_.blocking(GroupKind::tp, c.op, c.bytes, c.seconds, Lane::tp_comm, Category::tp, lbl);
  }
  void mlp(int layer, Seconds sec, Category c, int lbl, double flops, bool fwd) {  // MoE: Emitter::moe_block
    p_.moe_layer(layer) && !p_.moe_block_tp ? e_.compute(sec, c, lbl, false, flops) : block_forward(sec, c, lbl, flops);
    if (p_.moe_layer(layer)) e_.moe_collectives(fwd ? p_.moe_forward : p_.moe_backward, lbl);
  }
  void layer_forward(int lbl, int layer) {
    const LayerTimes& t = p_.layer_at(layer);
    at_layer(layer, "attn");
    if (s_.parallel.cp > 1)
      e_.blocking(GroupKind::cp, CollectiveOp::all_gather, p_.cp_bytes, exposed_cp(p_.cp_ag_s, t.attention_forward),
                  Lane::tp_comm, Category::tp, lbl);
    block_forward(secs(t.attention_forward), Category::forward, lbl, t.forward_block_flops[0]);
    lora_tp(0, false, lbl);
    at_layer(layer, "mlp");
    mlp(layer, secs(t.mlp_forward), Category::forward, lbl, t.forward_block_flops[1], true);
    lora_tp(1, false, lbl);
  }
  // `index`: the layer's place in its chunk (forward order), which decides
  // whether the block method recomputes it (activations.hpp layer_recomputed).
  void layer_backward(int lbl, int layer, int index) {
    const LayerTimes& t = p_.layer_at(layer);
    if (s_.training.recompute == Recompute::full && !layer_recomputed(p_.shape, index)) {
      // kept its activations: nothing to re-run
    } else if (s_.training.recompute == Recompute::full) {
      at_layer(layer, "attn");
      block_forward(secs(t.attention_recompute), Category::recompute, lbl, t.recompute_block_flops[0]);
      lora_tp(0, false, lbl);
      at_layer(layer, "mlp");
      mlp(layer, secs(t.mlp_recompute), Category::recompute, lbl, t.recompute_block_flops[1], true);
      lora_tp(1, false, lbl);
    } else {
      at_layer(layer, "");
      e_.compute(secs(t.recompute()), Category::recompute, lbl, false, t.recompute_flops);
    }
    at_layer(layer, "mlp");
    mlp(layer, secs(t.mlp_backward), Category::backward, lbl, t.backward_block_flops[1], false);
    lora_tp(1, true, lbl);
    at_layer(layer, "attn");
    block_forward(secs(t.attention_backward), Category::backward, lbl, t.backward_block_flops[0]);
    lora_tp(0, true, lbl);
    if (s_.parallel.cp > 1)
      e_.blocking(GroupKind::cp, CollectiveOp::reduce_scatter, p_.cp_bytes,
                  exposed_cp(p_.cp_rs_s, t.attention_backward), Lane::tp_comm, Category::tp, lbl);
  }

  // ---- passes
  void forward(const PassItem& it) {
    const int lbl = e_.label(pass_label(true, it.micro_batch, it.chunk, vp_), it.micro_batch, vp_ > 1 ? it.chunk : -1);
    const int vs = vstage(it.chunk);
    if (vs > 0) {
      e_.recv(message_id(true, it.micro_batch, vs, vstages_, m_));
      gather_received(lbl);
    }
    const int layers = p_.split.chunk_layers(stage_, it.chunk), l0 = first_layer(it.chunk);
    const Zero3Units u = units(it.chunk, true);
    zero3_.set_pass(it);
    zero3_.set_layers(l0, 1);
    zero3_.before_unit(u, 0, true, lbl);
    at("embedding");
    if (first(it.chunk)) e_.compute(secs(p_.edges.embedding_forward), Category::forward, lbl);
    cast_weights(it, layers, lbl);
    for (int j = 0; j < layers; ++j) {
      if (j > 0) zero3_.before_unit(u, j, true, lbl);
      layer_forward(lbl, l0 + j);
      if (j + 1 < layers) zero3_.release_unit(u, j, true);
    }
    amax_reduce(true, layers, lbl);
    at("output");
    if (last(it.chunk)) e_.compute(secs(p_.edges.output_forward), Category::forward, lbl);
    at("p2p");
    zero3_.release_unit(u, u.params.size() - 1, true);
    e_.memory(true, MemKind::activations, chunk_stored(it.chunk));
    if (!last(it.chunk))
      e_.send((stage_ + 1) % pp_, message_id(true, it.micro_batch, vs + 1, vstages_, m_), p_.p2p_bytes,
              p_.p2p_s[stage_], lbl);
    if (!last(it.chunk) && p_.p2p_blocking) e_.compute(p_.p2p_s[stage_], Category::pp, lbl);
  }

  void backward(const PassItem& it) {
    const int lbl = e_.label(pass_label(false, it.micro_batch, it.chunk, vp_), it.micro_batch, vp_ > 1 ? it.chunk : -1);
    const int vs = vstage(it.chunk);
    if (!last(it.chunk)) {
      e_.recv(message_id(false, it.micro_batch, vs, vstages_, m_));
      gather_received(lbl);
    }
    const bool reduce = buckets_.begin_backward(it);
    e_.memory(true, MemKind::activations, chunk_working(it.chunk));
    const int layers = p_.split.chunk_layers(stage_, it.chunk), l0 = first_layer(it.chunk);
    const Zero3Units u = units(it.chunk, false);
    deferred_grads(u, it, true);
    zero3_.set_pass(it);
    zero3_.set_layers(l0 + std::max(layers, 1) - 1, -1);
    zero3_.before_unit(u, 0, false, lbl);
    at("output");
    if (last(it.chunk)) e_.compute(secs(p_.edges.output_backward), Category::backward, lbl);
    for (int j = 0; j < layers; ++j) {
      if (j > 0) zero3_.before_unit(u, j, false, lbl);
      layer_backward(lbl, l0 + layers - 1 - j, layers - 1 - j);
      buckets_.ready(u.trainable[j], reduce);
      if (j + 1 < layers) zero3_.release_unit(u, j, false);
    }
    if (layers == 0) buckets_.ready(u.trainable[0], reduce);
    amax_reduce(false, layers, lbl);
    at("embedding");
    if (first(it.chunk)) e_.compute(secs(p_.edges.embedding_backward), Category::backward, lbl);
    zero3_.release_unit(u, u.params.size() - 1, false);
    at("grad accum");
    accumulate_grads(u.trainable, lbl);
    at("p2p");
    if (reduce) buckets_.flush();
    if (reduce) deferred_grads(u, it, false);
    e_.memory(false, MemKind::activations, chunk_working(it.chunk) + chunk_stored(it.chunk));
    if (vs > 0)
      e_.send((stage_ + pp_ - 1) % pp_, message_id(false, it.micro_batch, vs - 1, vstages_, m_), p_.p2p_bytes,
              p_.p2p_s[(stage_ + pp_ - 1) % pp_], lbl);
    if (vs > 0 && p_.p2p_blocking) e_.compute(p_.p2p_s[(stage_ + pp_ - 1) % pp_], Category::pp, lbl);
  }

  // DeepSpeed BF16_Optimizer: the chunk's bf16 gradients folded into fp32 after
  // its backward, a memory-bound pass on the compute stream.
  void accumulate_grads(const std::vector<double>& u, int lbl) {
    if (p_.grad_accum_bytes_per_param <= 0) return;
    double params = 0;
    for (double x : u) params += x;
    e_.compute(secs(optimizer_step_time(params, p_.grad_accum_bytes_per_param, s_.cluster.node.gpu)),
               Category::backward, lbl);
  }

  // Pipeline parallelism with sharded gradients (pipeline_defers_reduction):
  // the chunk's unsharded gradients exist from its first backward until its
  // last backward has reduced them (torch.distributed.pipelining
  // backward_maybe_with_nosync; FSDP2 keeps them in reduce_dtype).
  Bytes deferred(int stage) const { return trainsim::deferred_grads(s_, p_.split, stage); }
  void deferred_grads(const Zero3Units& u, const PassItem& it, bool begin) {
    if (!p_.grad_reduction.after_pass || it.micro_batch != (begin ? 0 : m_ - 1)) return;
    double params = 0;
    for (double x : u.trainable) params += x;
    e_.memory(begin, MemKind::grads, Bytes(params * zero3_grad_bytes(s_)));
  }

  void finish_step();

  const StepPlan& p_;
  const Scenario& s_;
  CommCost& comm_;
  Emitter e_;
  int stage_, pp_, vp_, vstages_, m_;
  bool sp_;
  int zero_;
  CommBuffers buffers_;
  int grad_label_;
  OffloadEmitter off_;
  GradBuckets buckets_;
  Zero3Passes zero3_;
};

// After the last backward: remaining gradient reduction, the embedding
// all-reduce between first and last stage (tied embeddings), the gradient
// norm, the optimizer step and the ZeRO-1/2 parameter all-gather
// (param_gather.hpp).
void StageBuilder::finish_step() {
  const int lbl = e_.label("step");
  at("embedding grads");
  if (!p_.grad_reduction.in_backward) buckets_.reduce_all(static_cast<double>(mem().trainable));
  e_.wait_dp(e_.launches());
  if (s_.model.tied_embeddings && pp_ > 1 && (stage_ == 0 || stage_ == pp_ - 1) && !s_.training.finetune.lora()) {
    const Bytes bytes(p_.vocab_params * p_.grad_bytes_per_param);
    e_.blocking(GroupKind::embedding, CollectiveOp::all_reduce, bytes,
                comm_.time(CollectiveOp::all_reduce, bytes, p_.embedding_group), Lane::dp_comm, Category::dp, lbl);
  }
  e_.memory(false, MemKind::comm_buffers, buffers_.backward);
  e_.memory(true, MemKind::comm_buffers, buffers_.step);
  at("grad norm");
  if (p_.overlap.grad_clip)
    e_.blocking(GroupKind::world, CollectiveOp::all_reduce, kGradNormBytes,
                comm_.time(CollectiveOp::all_reduce, kGradNormBytes, p_.world_group), Lane::dp_comm, Category::dp, lbl);
  // DeepSpeed's BF16_Optimizer partitions the update and all-gathers the
  // parameters at ZeRO-0 as at ZeRO-1 (p_.grads_all_reduced).
  const bool partitioned = zero_ >= 1 || p_.grads_all_reduced;
  const double shard = partitioned ? static_cast<double>(p_.shard_group.ranks) : 1.0;
  const double local = static_cast<double>(mem().trainable) / shard;  // LoRA: the adapters alone
  at("optimizer");
  const bool gather = partitioned && zero_ <= 2;
  const double trainable = static_cast<double>(mem().trainable);
  if (off_.optimizer()) {
    const int up = off_.step(local, zero_);
    if (zero_ <= 2) e_.after(Lane::pcie, up);  // the all-gather sends the updated partition
    if (gather) {
      const int first = launch_param_gather(p_, comm_, e_, trainable, e_.label("param gather"));
      e_.wait_dp(p_.overlap.param_gather ? first : e_.launches());
    }
  } else {
    gpu_step_and_gather(s_, p_, comm_, e_, local, trainable, vp_, gather, lbl, gather ? e_.label("param gather") : 0);
  }
  if (p_.offload.active) off_.drain();
  e_.memory(false, MemKind::comm_buffers, buffers_.step);
}

}  // namespace

std::vector<StageProgram> build_programs(const Scenario& s, const StepPlan& plan, CommCost& comm, bool detail,
                                         WorkBudget* budget) {
  std::vector<StageProgram> out;
  for (int i = 0; i < s.parallel.pp; ++i) out.push_back(StageBuilder(s, plan, comm, i, detail, budget).build());
  return out;
}

}  // namespace trainsim
