// Megatron-core flags of issue 19's knobs -> scenario keys (megatron_flags.hpp):
//   --recompute-num-layers N, --recompute-method uniform|block -> training.recompute_num_layers,
//     training.recompute_method (megatron/core/transformer/transformer_block.py _checkpointed_forward)
//   --hidden-dropout, --attention-dropout (Megatron defaults 0.1 each) -> training.dropout
//   --fp8-format e4m3|hybrid -> training.precision fp8 (read_training); --fp8-recipe
//     delayed|tensorwise|blockwise|mxfp8 (megatron/training/arguments.py, default delayed) -> training.fp8_recipe
//   --enable-cuda-graph (deprecated spelling of --cuda-graph-impl local), --external-cuda-graph
//     (transformer_engine), --cuda-graph-impl none|local|transformer_engine -> training.cuda_graphs
//   --cuda-graph-scope attn|mlp|moe|full_iteration ... (nargs '+', megatron/training/arguments.py)
//     -> training.cuda_graph_scope; --overlap-param-gather-with-optimizer-step ->
//     training.overlap_param_gather_with_optimizer_step (its rules: config/layout_check.cpp)
#include <algorithm>
#include <optional>
#include <utility>

#include "sim/import/megatron/megatron_args.hpp"
#include "sim/import/megatron/megatron_flags.hpp"

namespace trainsim {
namespace {

void set(MegatronResult& r, const MegatronFlags& f, const std::string& key, const std::string& value,
         const std::string& flag, const std::string& note = "") {
  r.settings.push_back({key, value, f.at(flag), false, note});
}

// Megatron-core's TransformerConfig: a recompute method needs its layer count
// (--recompute-num-layers); uniform with one layer per group is every layer
// checkpointed on its own, trainsim's recompute: full without a count.
void read_partial_recompute(const MegatronFlags& f, MegatronResult& r) {
  auto n = f.integer("--recompute-num-layers");
  auto method = f.text("--recompute-method");
  if (!n) {
    if (method && *method == "block")
      f.fail("--recompute-method",
             "block needs --recompute-num-layers (the layers of each stage recomputed; "
             "Megatron-core's TransformerConfig rule)");
    return;
  }
  if (f.text("--recompute-granularity").value_or("") != "full")
    f.fail("--recompute-num-layers", "needs --recompute-granularity full (Megatron-LM's rule)");
  set(r, f, "training.recompute_num_layers", std::to_string(*n), "--recompute-num-layers");
  if (method) set(r, f, "training.recompute_method", *method, "--recompute-method");
}

// One dropout probability for both: Megatron applies --hidden-dropout in the
// bias-dropout-add and --attention-dropout on the attention probabilities.
void read_dropout(const MegatronFlags& f, MegatronResult& r) {
  auto hidden = f.number("--hidden-dropout");
  auto attention = f.number("--attention-dropout");
  if (!hidden && !attention) return;
  const char* flag = hidden ? "--hidden-dropout" : "--attention-dropout";
  const std::pair<const char*, std::optional<double>> given[] = {{"--hidden-dropout", hidden},
                                                                 {"--attention-dropout", attention}};
  for (const auto& [name, v] : given)
    if (v && (*v < 0 || *v > 1)) f.fail(name, "'" + f.text(name).value_or("") + "' is not a probability in [0, 1]");
  const double h = hidden.value_or(0.1), a = attention.value_or(0.1);
  if (h != a)
    r.warnings.push_back("--hidden-dropout " + std::to_string(h) + " and --attention-dropout " + std::to_string(a) +
                         " differ: trainsim keeps the dropout kernels and masks of both while either is > 0");
  set(r, f, "training.dropout", std::to_string(std::max(h, a)), flag,
      "Megatron's defaults are 0.1 for the flag not given");
}

void read_fp8_and_graphs(const MegatronFlags& f, MegatronResult& r) {
  if (auto recipe = f.text("--fp8-recipe")) {
    if (*recipe != "delayed" && *recipe != "tensorwise" && *recipe != "blockwise" && *recipe != "mxfp8")
      f.fail("--fp8-recipe", "'" + *recipe + "' is not valid; expected delayed, tensorwise, blockwise or mxfp8");
    if (f.has("--fp8-format"))
      set(r, f, "training.fp8_recipe", *recipe, "--fp8-recipe");
    else
      r.ignored.push_back("--fp8-recipe (no effect without --fp8-format)");
  }
  std::string impl = f.has("--enable-cuda-graph")     ? "local"
                     : f.has("--external-cuda-graph") ? "transformer_engine"
                                                      : "";
  if (auto v = f.text("--cuda-graph-impl")) {
    if (*v != "none" && *v != "local" && *v != "transformer_engine")
      f.fail("--cuda-graph-impl", "'" + *v + "' is not valid; expected none, local or transformer_engine");
    impl = *v;
  }
  const char* flag = f.has("--cuda-graph-impl")     ? "--cuda-graph-impl"
                     : f.has("--enable-cuda-graph") ? "--enable-cuda-graph"
                                                    : "--external-cuda-graph";
  if (!impl.empty())
    set(r, f, "training.cuda_graphs", impl == "none" ? "false" : "true", flag,
        impl == "none" ? "" : "each transformer layer captured (" + impl + ")");
}

// --cuda-graph-scope's list as trainsim's blocks: attention (attn), the MLP
// (mlp, or moe for a MoE layer), both (full: [] or "full"), or full_iteration.
// The MoE router / preprocess scopes capture part of the MLP block and mamba
// layers are not modelled: refused rather than guessed.
void read_graph_scope(const MegatronFlags& f, MegatronResult& r) {
  auto v = f.text("--cuda-graph-scope");
  if (!v) return;
  bool attn = false, mlp = false, whole = false, all = false;
  std::string word;
  for (std::size_t i = 0; i <= v->size(); ++i) {
    if (i < v->size() && (*v)[i] != ' ' && (*v)[i] != ',') {
      word += (*v)[i];
      continue;
    }
    if (word == "attn")
      attn = true;
    else if (word == "mlp" || word == "moe")
      mlp = true;
    else if (word == "full_iteration")
      whole = true;
    else if (word == "full")
      all = true;
    else if (!word.empty())
      f.fail("--cuda-graph-scope", "'" + word + "' is not modelled; trainsim reads attn, mlp, moe, full and " +
                                       "full_iteration (moe_router, moe_preprocess and mamba capture parts it "
                                       "does not model)");
    word.clear();
  }
  const bool impl = f.has("--cuda-graph-impl") || f.has("--enable-cuda-graph") || f.has("--external-cuda-graph");
  if (!impl) return r.ignored.push_back("--cuda-graph-scope (no effect without --cuda-graph-impl)");
  const char* scope = whole ? "full_iteration" : (all || attn == mlp) ? "full" : attn ? "attn" : "mlp";
  set(r, f, "training.cuda_graph_scope", scope, "--cuda-graph-scope");
}

}  // namespace

void read_megatron_knobs(const MegatronFlags& f, MegatronResult& r) {
  read_partial_recompute(f, r);
  read_dropout(f, r);
  read_fp8_and_graphs(f, r);
  read_graph_scope(f, r);
  if (f.has("--overlap-param-gather-with-optimizer-step"))
    set(r, f, "training.overlap_param_gather_with_optimizer_step", "true",
        "--overlap-param-gather-with-optimizer-step");
}

}  // namespace trainsim
