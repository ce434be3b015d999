// Megatron-LM's MoE flags (megatron/training/arguments.py, _add_moe_args) read as-is:
//   --num-experts, --moe-router-topk (default 2), --moe-ffn-hidden-size (default ffn),
//   --moe-shared-expert-intermediate-size, --moe-layer-freq (default 1)    -> the model
//   --expert-model-parallel-size -> parallel.ep; --expert-tensor-parallel-size -> parallel.etp
//   --moe-grouped-gemm (default off) -> training.moe_grouped_gemm
//   --moe-token-dispatcher-type allgather (default) | alltoall -> training.moe_dispatcher;
//     flex (DeepEP / HybridEP fused kernels) is refused with the reason
//   --moe-router-load-balancing-type, --moe-aux-loss-coeff: accepted (the auxiliary loss is a
//     few element-wise ops on the router's logits: no effect on step time or memory here).
#include <map>

#include "sim/config/layer_pattern.hpp"
#include "sim/import/megatron/megatron_args.hpp"
#include "sim/import/megatron/megatron_flags.hpp"
#include "sim/spec/limits.hpp"

namespace trainsim {
namespace {

constexpr int kMegatronDefaultTopk = 2;  // --moe-router-topk default

void set(MegatronResult& r, const MegatronFlags& f, const std::string& key, const std::string& value,
         const std::string& flag, const std::string& note = "") {
  r.settings.push_back({key, value, f.at(flag), false, note});
}

void set_default(MegatronResult& r, const std::string& key, const std::string& value, const std::string& note) {
  r.settings.push_back({key, value, {"(Megatron default)", 0, key}, true, note});
}

void read_dispatcher(const MegatronFlags& f, MegatronResult& r) {
  const std::string flag = "--moe-token-dispatcher-type";
  const std::optional<std::string> d = f.text(flag);
  if (!d) {
    if (f.has("--num-experts"))
      set_default(r, "training.moe_dispatcher", "allgather", "Megatron-LM's default --moe-token-dispatcher-type");
    return;
  }
  if (*d == "flex")
    f.fail(flag,
           "'flex' dispatches through DeepEP / HybridEP fused kernels (tokens deduplicated per node, forwarded "
           "over NVLink and RDMA by the kernel itself), which trainsim does not model; use alltoall or allgather");
  if (*d != "alltoall" && *d != "allgather")
    f.fail(flag, "'" + *d + "' is not modelled; expected alltoall or allgather (flex is refused)");
  set(r, f, "training.moe_dispatcher", *d, flag);
}

}  // namespace

const std::vector<MegatronMoeFlag>& megatron_moe_flags() {
  static const std::vector<MegatronMoeFlag> t = {
      {"--num-experts", false, kMaxHeads},
      {"--moe-router-topk", false, kMaxHeads},
      {"--expert-model-parallel-size", false, kMaxParallel},
      {"--expert-tensor-parallel-size", false, kMaxParallel},
      {"--moe-grouped-gemm", true, 0},
      {"--moe-token-dispatcher-type", false, 0},
      {"--moe-ffn-hidden-size", false, kMaxWidth},
      {"--moe-shared-expert-intermediate-size", false, kMaxWidth},
      {"--moe-layer-freq", false, 0},
      {"--moe-router-load-balancing-type", false, 0},
      {"--moe-aux-loss-coeff", false, 0},
  };
  return t;
}

void read_megatron_moe(const MegatronFlags& f, MegatronResult& r) {
  if (auto ep = f.integer("--expert-model-parallel-size"))
    set(r, f, "parallel.ep", std::to_string(*ep), "--expert-model-parallel-size");
  if (auto etp = f.integer("--expert-tensor-parallel-size"))
    set(r, f, "parallel.etp", std::to_string(*etp), "--expert-tensor-parallel-size");
  if (f.has("--moe-grouped-gemm"))
    set(r, f, "training.moe_grouped_gemm", "true", "--moe-grouped-gemm");
  else if (f.has("--num-experts"))
    set_default(r, "training.moe_grouped_gemm", "false",
                "Megatron-LM runs one GEMM per local expert (SequentialMLP) without --moe-grouped-gemm");
  read_dispatcher(f, r);
  if (auto t = f.text("--moe-router-load-balancing-type")) {
    if (*t != "aux_loss" && *t != "seq_aux_loss" && *t != "sinkhorn" && *t != "none" && *t != "global_aux_loss")
      f.fail("--moe-router-load-balancing-type",
             "'" + *t + "' is not valid; expected aux_loss, seq_aux_loss, global_aux_loss, sinkhorn or none");
    r.ignored.push_back("--moe-router-load-balancing-type (the balancing loss: no effect on step time or memory)");
  }
  if (f.has("--moe-aux-loss-coeff")) {
    f.number("--moe-aux-loss-coeff");
    r.ignored.push_back("--moe-aux-loss-coeff (a loss weight: no effect on step time or memory)");
  }
}

void megatron_moe_model(const MegatronFlags& f, ModelSpec& m) {
  const std::optional<long long> experts = f.integer("--num-experts");
  if (!experts) {
    for (const char* flag :
         {"--moe-router-topk", "--moe-ffn-hidden-size", "--moe-shared-expert-intermediate-size", "--moe-layer-freq"})
      if (f.has(flag)) f.fail(flag, "needs --num-experts (a dense model has no experts)");
    return;
  }
  m.moe_experts = static_cast<int>(*experts);
  m.moe_topk = static_cast<int>(f.integer("--moe-router-topk").value_or(kMegatronDefaultTopk));
  if (m.moe_topk > m.moe_experts)
    f.fail("--moe-router-topk", "routes each token to " + std::to_string(m.moe_topk) + " experts of " +
                                    std::to_string(m.moe_experts) + "; valid: at most --num-experts");
  m.moe_ffn = static_cast<int>(f.integer("--moe-ffn-hidden-size").value_or(m.ffn));
  m.moe_shared_ffn = static_cast<int>(f.integer("--moe-shared-expert-intermediate-size").value_or(0));
  std::string error;
  m.moe_layers = parse_layer_pattern(f.text("--moe-layer-freq").value_or("1"), m.layers, error);
  if (m.moe_layers.empty()) f.fail("--moe-layer-freq", error);
}

void check_megatron_moe_against(const MegatronFlags& f, const ModelSpec& b, const SourceLocation& base_where) {
  auto differ = [&](const char* flag, long long flags_value, long long card) {
    if (flags_value == card) return;
    throw ConfigError(base_where, "the scenario's model " + b.name + " has " + std::to_string(card) + " but " +
                                      f.where.file + (f.where.line ? ":" + std::to_string(f.where.line) : "") + ": " +
                                      flag + " says " + std::to_string(flags_value) + "; make them agree or drop one");
  };
  if (auto v = f.integer("--num-experts")) differ("--num-experts", *v, b.moe_experts);
  if (auto v = f.integer("--moe-router-topk")) differ("--moe-router-topk", *v, b.moe_topk);
  if (auto v = f.integer("--moe-ffn-hidden-size")) differ("--moe-ffn-hidden-size", *v, b.moe_ffn);
  if (auto v = f.integer("--moe-shared-expert-intermediate-size"))
    differ("--moe-shared-expert-intermediate-size", *v, b.moe_shared_ffn);
  if (auto t = f.text("--moe-layer-freq")) {
    std::string error;
    const std::vector<bool> layers = parse_layer_pattern(*t, b.layers, error);
    if (layers.empty()) f.fail("--moe-layer-freq", error);
    if (layers != b.moe_layers)
      throw ConfigError(base_where, "the scenario's model " + b.name + " has MoE layers " +
                                        format_layer_pattern(b.moe_layers) + " but --moe-layer-freq says " +
                                        format_layer_pattern(layers) + "; make them agree or drop one");
  }
}

}  // namespace trainsim
