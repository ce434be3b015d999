// Layout validation: every rule says what would be valid.
#include <algorithm>
#include <iomanip>
#include <sstream>
#include <string>

#include "sim/config/moe_layout_check.hpp"
#include "sim/spec/framework_profile.hpp"
#include "sim/spec/limits.hpp"
#include "sim/spec/scenario.hpp"
#include "sim/model/stage_split.hpp"

namespace trainsim {
namespace {

std::string s(long long v) { return std::to_string(v); }

void check_tensor_parallel(const Scenario& sc, std::vector<LayoutProblem>& out) {
  const ModelSpec& m = sc.model;
  int tp = sc.parallel.tp;
  if (m.heads % tp != 0)
    out.push_back({"parallel.tp", "tp=" + s(tp) + " does not divide the " + s(m.heads) + " attention heads of " +
                                      m.name + "; use a divisor of " + s(m.heads)});
  else if (m.kv_heads % tp != 0)
    out.push_back({"parallel.tp", "tp=" + s(tp) + " does not divide the " + s(m.kv_heads) +
                                      " KV heads (GQA query groups) of " + m.name + "; use a divisor of " +
                                      s(m.kv_heads)});
  if (m.ffn % tp != 0)
    out.push_back({"parallel.tp", "tp=" + s(tp) + " does not divide the FFN size " + s(m.ffn) + " of " + m.name});
}

// What would be valid for interleaving: the vp values interleave_factors
// allows for the pipeline items, and whether counting the embedding and loss
// slots would make the requested vp valid.
std::string valid_vp(int layers, int pp, int vp, bool embedding_in_split) {
  const int items = pipeline_items(layers, embedding_in_split);
  std::string list;
  for (int v : interleave_factors(items, pp))
    if (v > 1) list += (list.empty() ? "" : ", ") + s(v);
  std::string out = list.empty() ? "no vp > 1 works with pp=" + s(pp) + "; use vp: 1 or a pp dividing " + s(items)
                                 : "valid vp with pp=" + s(pp) + ": " + list;
  if (!embedding_in_split && pp >= 2 && pipeline_items(layers, true) % (pp * vp) == 0)
    out += "; or keep vp=" + s(vp) +
           " and set parallel.embedding_in_pp_split: true (the embedding and loss take a "
           "layer slot each)";
  return out;
}

// The sharding x pipeline combinations the framework's code accepts (its
// profile's rule, sim/spec/framework_profiles.cpp), refused with its reason.
void check_framework_pipeline(const Scenario& sc, std::vector<LayoutProblem>& out) {
  const ParallelPlan& p = sc.parallel;
  const FrameworkProfile* profile = select_profile(sc.framework, sc.framework_version).profile;
  if (p.pp < 2 || profile == nullptr) return;
  const PipelineRule& rule = profile->rule;
  const std::string who = profile_label(*profile);
  if (!rule.pipeline)
    out.push_back({"parallel.pp", "pp=" + s(p.pp) + ": " + who + " has no pipeline parallelism (" + rule.reason +
                                      "); " + rule.instead});
  else if (p.zero_stage > rule.max_zero_with_pp) {
    const std::string what = "ZeRO stage " + s(p.zero_stage) + " cannot be combined with pipeline parallelism";
    out.push_back(
        {"parallel.zero_stage", what + " (pp=" + s(p.pp) + ") in " + who + ": " + rule.reason + "; " + rule.instead});
  }
}

void check_pipeline(const Scenario& sc, std::vector<LayoutProblem>& out) {
  const ParallelPlan& p = sc.parallel;
  int layers = sc.model.layers;
  if (p.pp > layers)
    out.push_back({"parallel.pp", "pp=" + s(p.pp) + " exceeds the " + s(layers) + " layers of " + sc.model.name +
                                      "; use pp <= " + s(layers)});
  if (p.vp > 1 && p.pp < 2)
    out.push_back({"parallel.vp", "vp=" + s(p.vp) + " (interleaved 1F1B) needs pp >= 2; set vp: 1 or raise pp"});
  // Megatron-core: with --account-for-embedding/loss-in-pipeline-split the
  // embedding and the loss take one layer slot each (sim/model/stage_split.hpp).
  if (p.vp > 1 && pipeline_items(layers, p.embedding_in_pp_split) % (p.pp * p.vp) != 0)
    out.push_back({"parallel.vp", std::string("interleaving needs layers") +
                                      (p.embedding_in_pp_split ? " + 2 (embedding and loss slots)" : "") +
                                      " divisible by pp x vp: " + s(layers) + " layers, pp=" + s(p.pp) + ", vp=" +
                                      s(p.vp) + "; " + valid_vp(layers, p.pp, p.vp, p.embedding_in_pp_split)});
  if (p.schedule == Schedule::interleaved_1f1b && p.vp < 2)
    out.push_back({"parallel.schedule", "interleaved-1f1b needs parallel.vp >= 2 model chunks; set vp or use 1f1b"});
  if (p.vp > 1 && p.schedule != Schedule::interleaved_1f1b)
    out.push_back(
        {"parallel.schedule", "vp=" + s(p.vp) + " needs schedule interleaved-1f1b (or leave schedule unset)"});
  const long long per_step = 1LL * sc.training.micro_batch * p.dp;
  if (p.vp > 1 && per_step > 0 && sc.training.global_batch % per_step == 0 && sc.num_micro_batches() % p.pp != 0)
    out.push_back({"parallel.vp", "the interleaved schedule needs the micro-batches per step (" +
                                      s(sc.num_micro_batches()) +
                                      " = global_batch / (micro_batch x dp)) to be a "
                                      "multiple of pp=" +
                                      s(p.pp) +
                                      " (Megatron-LM's rule); change training.global_batch "
                                      "or training.micro_batch, or use vp: 1"});
  check_framework_pipeline(sc, out);
}

void check_sizes(const Scenario& sc, std::vector<LayoutProblem>& out) {
  const ParallelPlan& p = sc.parallel;
  long long product = 1LL * p.dp * p.tp * p.pp * p.cp;
  if (product != sc.gpus)
    out.push_back({"parallel.dp", "dp x tp x pp x cp = " + s(p.dp) + " x " + s(p.tp) + " x " + s(p.pp) + " x " +
                                      s(p.cp) + " = " + s(product) + " but the scenario has " + s(sc.gpus) +
                                      " GPUs; make the product equal the GPU count (or omit dp to derive it)"});
  long long capacity = 1LL * sc.nodes * sc.cluster.node.gpus;
  if (sc.gpus > capacity)
    out.push_back({"gpus", s(sc.gpus) + " GPUs do not fit on " + s(sc.nodes) + " nodes of " + s(sc.cluster.node.gpus) +
                               " GPUs; raise nodes to " +
                               s((sc.gpus + sc.cluster.node.gpus - 1) / sc.cluster.node.gpus)});
  const TrainingPlan& t = sc.training;
  long long per_step = 1LL * t.micro_batch * p.dp;
  if (t.global_batch % per_step != 0)
    out.push_back({"training.global_batch", "global_batch=" + s(t.global_batch) +
                                                " is not a multiple of micro_batch x dp = " + s(t.micro_batch) + " x " +
                                                s(p.dp) + " = " + s(per_step)});
  else if (t.global_batch / per_step > static_cast<long long>(kMaxMicroBatches))
    out.push_back({"training.global_batch", "global_batch=" + s(t.global_batch) + " makes " +
                                                s(t.global_batch / per_step) +
                                                " micro-batches per pipeline; trainsim "
                                                "simulates at most " +
                                                s(static_cast<long long>(kMaxMicroBatches)) +
                                                " (docs/limits.md); raise training.micro_batch or lower global_batch"});
  else if (t.global_batch / per_step * sc.model.layers > static_cast<long long>(kMaxLayerPasses))
    out.push_back({"training.global_batch", s(t.global_batch / per_step) + " micro-batches x " + s(sc.model.layers) +
                                                " layers = " + s(t.global_batch / per_step * sc.model.layers) +
                                                " layer passes per step; trainsim simulates at most " +
                                                s(static_cast<long long>(kMaxLayerPasses)) +
                                                " (a memory bound, docs/limits.md); raise training.micro_batch or "
                                                "lower global_batch"});
  if (p.cp > 1 && t.seq_len % (2 * p.cp) != 0)
    out.push_back({"parallel.cp", "context parallelism splits the sequence into 2 x cp chunks: seq_len=" +
                                      s(t.seq_len) + " is not a multiple of " + s(2 * p.cp)});
  if (sc.model.position == PositionKind::learned && t.seq_len > sc.model.max_position)
    out.push_back({"training.seq_len", "seq_len=" + s(t.seq_len) + " exceeds the " + s(sc.model.max_position) +
                                           " learned positions of " + sc.model.name +
                                           " (max_position; a learned position table has no rows past it)"});
  if (t.finetune.packed && t.finetune.pack_mean_seq_len > t.seq_len)
    out.push_back({"training.pack_mean_seq_len", "pack_mean_seq_len=" + s(t.finetune.pack_mean_seq_len) +
                                                     " exceeds seq_len=" + s(t.seq_len) +
                                                     ": no packed sequence is longer than its row"});
}

void check_training(const Scenario& sc, std::vector<LayoutProblem>& out) {
  if (sc.training.precision == Precision::fp8 && !sc.cluster.node.gpu.peak_fp8)
    out.push_back({"training.precision",
                   sc.cluster.node.gpu.name + " has no FP8 tensor cores; use bf16 or fp16 (FP8 needs H100/H200)"});
  // Transformer Engine's NVFP4BlockScaling needs Blackwell (quantization.py
  // check_recipe_support: _compute_nvfp4_support, compute capability >= 10.0).
  const GpuSpec& g = sc.cluster.node.gpu;
  if (sc.training.precision == Precision::fp4 && (!g.peak_fp4 || g.compute_capability < 10.0))
    out.push_back({"training.precision", g.name + " has no FP4 tensor cores (peak.fp4 with compute capability 10.0 "
                                                  "or higher: B200, B300, GB200, GB300); use fp8 or bf16"});
  if (sc.offload.params != OffloadDevice::none && sc.parallel.zero_stage != 3)
    out.push_back(
        {"offload.params", "parameter offload needs ZeRO stage 3 (ZeRO-Infinity); set parallel.zero_stage: 3"});
  if (sc.offload.optimizer != OffloadDevice::none && sc.parallel.zero_stage == 0)
    out.push_back(
        {"offload.optimizer", "optimizer offload needs ZeRO stage 1, 2 or 3 (ZeRO-Offload); set parallel.zero_stage"});
  if (sc.offload.optimizer == OffloadDevice::nvme && sc.parallel.zero_stage != 3)
    out.push_back(
        {"offload.optimizer", "NVMe optimizer offload needs ZeRO stage 3 (ZeRO-Infinity); use cpu or zero_stage 3"});
}

// Transformer Engine refuses a recipe the GPU cannot run
// (transformer_engine/pytorch/quantization.py check_recipe_support):
// MXFP8BlockScaling needs compute capability >= 10.0 (_compute_mxfp8_support,
// Blackwell), Float8BlockScaling >= 9.0 (_compute_fp8_block_scaling_support,
// Hopper and later; TE 2.x before Blackwell support: 9.x only).
void check_fp8_recipe_gpu(const Scenario& sc, std::vector<LayoutProblem>& out) {
  const TrainingPlan& t = sc.training;
  if (!t.fp8_recipe || t.precision != Precision::fp8) return;
  const GpuSpec& g = sc.cluster.node.gpu;
  const double need = *t.fp8_recipe == Fp8Recipe::mxfp8 ? 10.0 : *t.fp8_recipe == Fp8Recipe::blockwise ? 9.0 : 0.0;
  if (g.compute_capability >= need || !g.peak_fp8) return;  // no FP8 unit at all: check_training says so
  std::ostringstream cc;
  cc << std::fixed << std::setprecision(1) << g.compute_capability;
  out.push_back({"training.fp8_recipe",
                 std::string("fp8_recipe=") + to_string(*t.fp8_recipe) + " needs a GPU of compute capability " +
                     (need >= 10.0 ? "10.0 or higher (Blackwell; Transformer Engine _compute_mxfp8_support)"
                                   : "9.0 or higher (Hopper; Transformer Engine _compute_fp8_block_scaling_support)") +
                     ", but " + g.name + " has " + cc.str() +
                     "; use fp8_recipe delayed, tensorwise or rowwise on this GPU"});
}

// Issue 19's knobs: partial recomputation as Megatron allows it
// (megatron/training/arguments.py: --recompute-method only with granularity
// full; transformer_block.py _checkpointed_forward walks the layers of one
// model chunk, so N cannot exceed them), an FP8 recipe only under FP8.
void check_knobs(const Scenario& sc, std::vector<LayoutProblem>& out) {
  const TrainingPlan& t = sc.training;
  const ParallelPlan& p = sc.parallel;
  if (t.recompute_num_layers > 0 && t.recompute != Recompute::full)
    out.push_back({"training.recompute_num_layers",
                   "recompute_num_layers=" + s(t.recompute_num_layers) +
                       " needs training.recompute: full (Megatron's --recompute-num-layers works with "
                       "--recompute-granularity full only); set recompute: full or drop the key"});
  const bool splits = sc.model.layers >= 1 && p.pp >= 1 && p.vp >= 1 &&
                      pipeline_items(sc.model.layers, p.embedding_in_pp_split) >= p.pp * p.vp;
  if (t.recompute_num_layers > 0 && splits) {
    const StageSplit split = split_layers(sc.model.layers, p.pp, p.vp, p.embedding_in_pp_split);
    int most = 0;
    for (int i = 0; i < p.pp; ++i)
      for (int c = 0; c < split.chunks(); ++c) most = std::max(most, split.chunk_layers(i, c));
    if (t.recompute_num_layers > most)
      out.push_back({"training.recompute_num_layers", "recompute_num_layers=" + s(t.recompute_num_layers) +
                                                          " exceeds the " + s(most) +
                                                          " layers of a pipeline stage's model chunk (pp=" + s(p.pp) +
                                                          ", vp=" + s(p.vp) + "); use at most " + s(most)});
  }
  if (t.fp8_recipe && t.precision != Precision::fp8)
    out.push_back({"training.fp8_recipe", std::string("fp8_recipe=") + to_string(*t.fp8_recipe) +
                                              " applies to precision fp8 only (the scenario trains in " +
                                              to_string(t.precision) +
                                              "); set training.precision: fp8 or drop "
                                              "the key"});
  check_fp8_recipe_gpu(sc, out);
}

// Megatron-LM's validate_args (megatron/training/arguments.py) asserts, with
// --overlap-param-gather-with-optimizer-step: the distributed optimizer,
// --overlap-param-gather, and interleaved pipeline parallelism
// (virtual_pipeline_model_parallel_size set): one optimizer per model chunk.
void check_param_gather_with_step(const Scenario& sc, std::vector<LayoutProblem>& out) {
  const OverlapOptions& o = sc.training.overlap;
  if (!o.param_gather_with_step) return;
  const char* key = "training.overlap_param_gather_with_optimizer_step";
  const std::string why = " (Megatron-LM validate_args, megatron/training/arguments.py)";
  if (sc.parallel.zero_stage != 1)
    out.push_back({key,
                   "overlap_param_gather_with_optimizer_step needs Megatron's distributed optimizer "
                   "(parallel.zero_stage: 1; the scenario has " +
                       s(sc.parallel.zero_stage) + ")" + why});
  else if (!o.param_gather)
    out.push_back({key, "overlap_param_gather_with_optimizer_step needs training.overlap_param_gather: true" + why});
  else if (sc.parallel.vp < 2)
    out.push_back({key,
                   "overlap_param_gather_with_optimizer_step needs interleaved pipeline parallelism "
                   "(parallel.vp > 1 with pp > 1; the scenario has pp=" +
                       s(sc.parallel.pp) + ", vp=" + s(sc.parallel.vp) + ")" + why});
}

}  // namespace

std::vector<LayoutProblem> check_layout(const Scenario& sc) {
  std::vector<LayoutProblem> out;
  check_tensor_parallel(sc, out);
  check_pipeline(sc, out);
  check_sizes(sc, out);
  check_training(sc, out);
  check_knobs(sc, out);
  check_param_gather_with_step(sc, out);
  check_expert_layout(sc, out);
  return out;
}

void validate_layout(const Scenario& sc) {
  std::vector<LayoutProblem> problems = check_layout(sc);
  if (problems.empty()) return;
  std::string more = problems.size() > 1 ? " (and " + s(static_cast<long long>(problems.size() - 1)) + " more problem" +
                                               (problems.size() > 2 ? "s" : "") + ")"
                                         : "";
  throw ConfigError(sc.where(problems.front().key), problems.front().message + more);
}

}  // namespace trainsim
