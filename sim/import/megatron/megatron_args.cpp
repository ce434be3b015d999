// Megatron-LM flags -> scenario settings (megatron_args.hpp).
#include "sim/import/megatron/megatron_args.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/config/keys.hpp"
#include "sim/spec/limits.hpp"
#include "sim/import/megatron/megatron_flags.hpp"
#include "sim/model/stage_split.hpp"

namespace trainsim {
namespace {

enum class Arity { boolean, one, three, many };  // many: nargs='+', the words up to the next flag

struct FlagDef {
  const char* name;
  Arity arity;
  bool modelled;  // false: accepted and reported as ignored
};

// Flags of megatron/training/arguments.py that trainsim reads or knows to be
// irrelevant to step time and memory (learning rate, data, logging, checkpoints)
// (data table).
// clang-format off
const std::vector<FlagDef>& flag_table() {
  static const std::vector<FlagDef> t = {
      {"--tensor-model-parallel-size", Arity::one, true}, {"--pipeline-model-parallel-size", Arity::one, true},
      {"--num-layers-per-virtual-pipeline-stage", Arity::one, true}, {"--context-parallel-size", Arity::one, true},
      {"--sequence-parallel", Arity::boolean, true}, {"--recompute-granularity", Arity::one, true},
      {"--recompute-method", Arity::one, true}, {"--recompute-num-layers", Arity::one, true},
      {"--checkpoint-activations", Arity::boolean, true}, {"--micro-batch-size", Arity::one, true},
      {"--global-batch-size", Arity::one, true}, {"--use-distributed-optimizer", Arity::boolean, true},
      {"--overlap-grad-reduce", Arity::boolean, true}, {"--overlap-param-gather", Arity::boolean, true},
      {"--DDP-impl", Arity::one, true}, {"--num-layers", Arity::one, true}, {"--hidden-size", Arity::one, true},
      {"--ffn-hidden-size", Arity::one, true}, {"--num-attention-heads", Arity::one, true},
      {"--group-query-attention", Arity::boolean, true}, {"--num-query-groups", Arity::one, true},
      {"--kv-channels", Arity::one, true}, {"--seq-length", Arity::one, true},
      {"--max-position-embeddings", Arity::one, true}, {"--bf16", Arity::boolean, true},
      {"--fp16", Arity::boolean, true}, {"--swiglu", Arity::boolean, true}, {"--normalization", Arity::one, true},
      {"--position-embedding-type", Arity::one, true}, {"--use-rotary-position-embeddings", Arity::boolean, true},
      {"--untie-embeddings-and-output-weights", Arity::boolean, true}, {"--disable-bias-linear", Arity::boolean, true},
      {"--vocab-size", Arity::one, true}, {"--padded-vocab-size", Arity::one, true},
      {"--make-vocab-size-divisible-by", Arity::one, true}, {"--hidden-dropout", Arity::one, true},
      {"--attention-dropout", Arity::one, true}, {"--use-flash-attn", Arity::boolean, true},
      {"--tp-comm-overlap", Arity::boolean, true}, {"--overlap-p2p-communication", Arity::boolean, true},
      {"--clip-grad", Arity::one, true}, {"--num-virtual-stages-per-pipeline-rank", Arity::one, true},
      {"--account-for-embedding-in-pipeline-split", Arity::boolean, true},
      {"--account-for-loss-in-pipeline-split", Arity::boolean, true},
      {"--optimizer", Arity::one, true}, {"--fp8-format", Arity::one, true}, {"--fp8-recipe", Arity::one, true},
      {"--enable-cuda-graph", Arity::boolean, true}, {"--external-cuda-graph", Arity::boolean, true},
      {"--cuda-graph-impl", Arity::one, true}, {"--cuda-graph-scope", Arity::many, true},
      {"--overlap-param-gather-with-optimizer-step", Arity::boolean, true},
      // Known, no effect on step time or memory.
      {"--train-iters", Arity::one, false}, {"--train-samples", Arity::one, false}, {"--lr", Arity::one, false},
      {"--min-lr", Arity::one, false}, {"--lr-decay-style", Arity::one, false}, {"--lr-decay-iters", Arity::one, false},
      {"--lr-decay-samples", Arity::one, false}, {"--lr-warmup-fraction", Arity::one, false},
      {"--lr-warmup-iters", Arity::one, false}, {"--lr-warmup-samples", Arity::one, false},
      {"--weight-decay", Arity::one, false}, {"--adam-beta1", Arity::one, false}, {"--adam-beta2", Arity::one, false},
      {"--adam-eps", Arity::one, false}, {"--init-method-std", Arity::one, false}, {"--data-path", Arity::one, false},
      {"--vocab-file", Arity::one, false}, {"--merge-file", Arity::one, false}, {"--tokenizer-type", Arity::one, false},
      {"--tokenizer-model", Arity::one, false}, {"--split", Arity::one, false}, {"--data-impl", Arity::one, false},
      {"--save", Arity::one, false}, {"--load", Arity::one, false}, {"--save-interval", Arity::one, false},
      {"--eval-interval", Arity::one, false}, {"--eval-iters", Arity::one, false}, {"--log-interval", Arity::one, false},
      {"--exit-interval", Arity::one, false}, {"--seed", Arity::one, false}, {"--distributed-backend", Arity::one, false},
      {"--tensorboard-dir", Arity::one, false}, {"--loss-scale", Arity::one, false},
      {"--initial-loss-scale", Arity::one, false}, {"--min-loss-scale", Arity::one, false},
      {"--loss-scale-window", Arity::one, false}, {"--hysteresis", Arity::one, false},
      {"--num-workers", Arity::one, false}, {"--dataloader-type", Arity::one, false},
      {"--transformer-impl", Arity::one, false}, {"--attention-backend", Arity::one, false},
      {"--rampup-batch-size", Arity::three, false}, {"--timing-log-level", Arity::one, false},
      {"--distributed-timeout-minutes", Arity::one, false}, {"--ckpt-format", Arity::one, false},
      {"--no-masked-softmax-fusion", Arity::boolean, false}, {"--no-bias-gelu-fusion", Arity::boolean, false},
      {"--no-bias-dropout-fusion", Arity::boolean, false}, {"--no-gradient-accumulation-fusion", Arity::boolean, false},
      {"--use-cpu-initialization", Arity::boolean, false}, {"--attention-softmax-in-fp32", Arity::boolean, false},
      {"--accumulate-allreduce-grads-in-fp32", Arity::boolean, false}, {"--use-mcore-models", Arity::boolean, false},
      {"--use-legacy-models", Arity::boolean, false}, {"--log-num-zeros-in-grad", Arity::boolean, false},
      {"--log-params-norm", Arity::boolean, false}, {"--log-throughput", Arity::boolean, false},
      {"--no-async-tensor-model-parallel-allreduce", Arity::boolean, false},
      {"--apply-query-key-layer-scaling", Arity::boolean, false}, {"--fp16-lm-cross-entropy", Arity::boolean, false},
      {"--no-load-optim", Arity::boolean, false}, {"--no-load-rng", Arity::boolean, false},
      {"--finetune", Arity::boolean, false}, {"--use-checkpoint-args", Arity::boolean, false},
  };
  return t;
}
// clang-format on

const FlagDef* find_flag(const std::string& name) {
  static const std::vector<FlagDef> moe = [] {
    std::vector<FlagDef> t;
    for (const MegatronMoeFlag& m : megatron_moe_flags())
      t.push_back({m.name, m.boolean ? Arity::boolean : Arity::one, true});
    return t;
  }();
  for (const auto* table : {&flag_table(), &moe})
    for (const FlagDef& f : *table)
      if (name == f.name) return &f;
  return nullptr;
}

std::string nearest_flag(const std::string& name) {
  std::string best;
  size_t best_d = static_cast<size_t>(-1);
  for (const FlagDef& f : flag_table())
    if (size_t d = edit_distance(name, f.name); d < best_d) best_d = d, best = f.name;
  return best;
}

// Splits like a shell: whitespace separates, quotes group, "\<newline>" continues.
std::vector<std::string> split_words(const std::string& s, const SourceLocation& where) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote)
        quote = 0;
      else
        cur += c;
    } else if (c == '"' || c == '\'') {
      quote = c, in_word = true;
    } else if (c == '\\' && i + 1 < s.size()) {
      if (s[++i] != '\n') cur += s[i], in_word = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) out.push_back(cur), cur.clear(), in_word = false;
    } else {
      cur += c, in_word = true;
    }
  }
  if (quote) throw ConfigError(where, "unterminated quote in the Megatron-LM flags");
  if (in_word) out.push_back(cur);
  return out;
}

MegatronFlags parse_flags(const std::string& args, const SourceLocation& where, ImportResult& out) {
  MegatronFlags f;
  f.where = where;
  std::vector<std::string> words = split_words(args, where);
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string w = words[i], value;
    if (w.rfind("--", 0) != 0) f.fail(w, "expected a flag starting with --, found '" + w + "'");
    if (auto eq = w.find('='); eq != std::string::npos) value = w.substr(eq + 1), w = w.substr(0, eq);
    const FlagDef* def = find_flag(w);
    if (!def) f.fail(w, "unknown Megatron-LM flag; did you mean '" + nearest_flag(w) + "'?");
    int needed = def->arity == Arity::boolean ? 0 : def->arity == Arity::three ? 3 : 1;
    for (int k = value.empty() ? 0 : 1; k < needed; ++k) {
      if (i + 1 >= words.size() || words[i + 1].rfind("--", 0) == 0) f.fail(w, "expects a value");
      value += (value.empty() ? "" : " ") + words[++i];
    }
    while (def->arity == Arity::many && i + 1 < words.size() && words[i + 1].rfind("--", 0) != 0)
      value += " " + words[++i];
    if (needed == 0 && !value.empty()) f.fail(w, "takes no value");
    if (f.has(w)) f.fail(w, "given twice");
    f.values[w] = value;
    if (!def->modelled) out.ignored.push_back(w + " (no effect on step time or memory)");
  }
  return f;
}

struct Out {
  const MegatronFlags& f;
  MegatronResult& r;
  void set(const std::string& key, const std::string& value, const std::string& flag, const std::string& note = "") {
    r.settings.push_back({key, value, f.at(flag), false, note});
  }
  void set_default(const std::string& key, const std::string& value, const std::string& note) {
    r.settings.push_back({key, value, {"(Megatron default)", 0, key}, true, note});
  }
};

void read_parallel(Out& o, const MegatronContext& ctx, int layers) {
  const MegatronFlags& f = o.f;
  auto tp = f.integer("--tensor-model-parallel-size");
  auto pp = f.integer("--pipeline-model-parallel-size");
  if (tp) o.set("parallel.tp", std::to_string(*tp), "--tensor-model-parallel-size");
  if (pp) o.set("parallel.pp", std::to_string(*pp), "--pipeline-model-parallel-size");
  if (auto cp = f.integer("--context-parallel-size"))
    o.set("parallel.cp", std::to_string(*cp), "--context-parallel-size");
  long long p = pp.value_or(ctx.scenario_pp);
  // --account-for-{embedding,loss}-in-pipeline-split: the embedding and the
  // loss take one layer slot each. trainsim models the two slots together
  // (parallel.embedding_in_pp_split), so it takes both flags or neither.
  const bool emb = f.has("--account-for-embedding-in-pipeline-split");
  const bool loss = f.has("--account-for-loss-in-pipeline-split");
  if (emb != loss)
    f.fail(emb ? "--account-for-embedding-in-pipeline-split" : "--account-for-loss-in-pipeline-split",
           "trainsim counts the embedding and the loss slot together (parallel.embedding_in_pp_split); pass both "
           "--account-for-embedding-in-pipeline-split and --account-for-loss-in-pipeline-split, or neither");
  const std::string layers_vs = "--num-layers-per-virtual-pipeline-stage",
                    stages_vs = "--num-virtual-stages-per-pipeline-rank";
  if (f.has(layers_vs) && f.has(stages_vs))
    f.fail(stages_vs, "cannot be combined with " + layers_vs + " (Megatron-LM's rule); give one of them");
  if (emb) {
    const std::string flag = "--account-for-embedding-in-pipeline-split";
    if (layers > 0 && pipeline_items(layers, true) % p != 0)
      f.fail(flag, "the layers + the embedding and loss slots (" + std::to_string(pipeline_items(layers, true)) +
                       ") must be divisible by the pipeline-parallel size (" + std::to_string(p) + ")");
    if (f.has(layers_vs))
      f.fail(layers_vs, "with the embedding and loss in the pipeline split, give the model chunks per stage with " +
                            stages_vs + " (Megatron-LM versions differ in which layer count this flag divides)");
    o.set("parallel.embedding_in_pp_split", "true", flag, "the embedding and the loss take a layer slot each");
  }
  if (auto k = f.integer(layers_vs)) {
    if (layers <= 0) f.fail(layers_vs, "needs the layer count: give --num-layers or a model in the scenario");
    if (layers % p != 0)
      f.fail(layers_vs, "the number of layers (" + std::to_string(layers) +
                            ") must be divisible by the pipeline-parallel size (" + std::to_string(p) + ")");
    if ((layers / p) % *k != 0)
      f.fail(layers_vs, "the layers per pipeline stage (" + std::to_string(layers / p) +
                            ") must be divisible by the layers per virtual stage (" + std::to_string(*k) + ")");
    o.set("parallel.vp", std::to_string(layers / p / *k), layers_vs, "layers / pp / layers per virtual stage");
  } else if (auto v = f.integer(stages_vs)) {
    o.set("parallel.vp", std::to_string(*v), stages_vs);
  }
  if (f.has("--sequence-parallel")) {
    if (tp.value_or(ctx.scenario_tp) == 1) {
      o.r.warnings.push_back(
          "--sequence-parallel with tensor-parallel size 1: Megatron-LM turns sequence "
          "parallelism off, and so does trainsim");
      o.set("parallel.sequence_parallel", "false", "--sequence-parallel", "off: TP = 1");
    } else {
      o.set("parallel.sequence_parallel", "true", "--sequence-parallel");
    }
  }
  if (f.has("--use-distributed-optimizer"))
    o.set("parallel.zero_stage", "1", "--use-distributed-optimizer", "optimizer states sharded over DP (ZeRO-1)");
}

void read_recompute(Out& o) {
  const MegatronFlags& f = o.f;
  if (f.has("--checkpoint-activations")) o.set("training.recompute", "full", "--checkpoint-activations");
  auto g = f.text("--recompute-granularity");
  auto m = f.text("--recompute-method");
  if (m && *m != "uniform" && *m != "block")
    f.fail("--recompute-method", "'" + *m + "' is not valid; expected uniform or block");
  if (!g) return;
  if (*g != "full" && *g != "selective")
    f.fail("--recompute-granularity", "'" + *g + "' is not valid; expected full or selective");
  if (*g == "full" && !m)
    f.fail("--recompute-granularity",
           "full recomputation needs --recompute-method uniform or block (Megatron-LM's rule)");
  o.set("training.recompute", *g, "--recompute-granularity");
}

void read_training(Out& o) {
  const MegatronFlags& f = o.f;
  if (auto v = f.integer("--micro-batch-size")) o.set("training.micro_batch", std::to_string(*v), "--micro-batch-size");
  if (auto v = f.integer("--global-batch-size"))
    o.set("training.global_batch", std::to_string(*v), "--global-batch-size");
  if (auto v = f.integer("--seq-length")) o.set("training.seq_len", std::to_string(*v), "--seq-length");
  if (f.has("--fp16") && f.has("--bf16")) f.fail("--bf16", "cannot be combined with --fp16 (Megatron-LM's rule)");
  if (auto fmt = f.text("--fp8-format")) {
    if (*fmt != "e4m3" && *fmt != "hybrid")
      f.fail("--fp8-format", "'" + *fmt + "' is not valid; expected e4m3 or hybrid");
    o.set("training.precision", "fp8", "--fp8-format", "FP8 GEMMs through Transformer Engine");
  } else if (f.has("--fp16"))
    o.set("training.precision", "fp16", "--fp16");
  else if (f.has("--bf16"))
    o.set("training.precision", "bf16", "--bf16");
  else
    o.set_default("training.precision", "fp32", "Megatron-LM trains in fp32 without --fp16 or --bf16");
  if (auto d = f.text("--DDP-impl")) {
    if (*d != "local" && *d != "torch") f.fail("--DDP-impl", "'" + *d + "' is not valid; expected local or torch");
    o.set(
        "training.overlap_grad_reduce", *d == "torch" ? "true" : "false", "--DDP-impl",
        *d == "torch" ? "torch DDP overlaps the all-reduce with the backward" : "local DDP reduces after the backward");
  } else if (f.has("--overlap-grad-reduce")) {
    o.set("training.overlap_grad_reduce", "true", "--overlap-grad-reduce");
  } else {
    o.set_default("training.overlap_grad_reduce", "false",
                  "Megatron-LM reduces gradients after the backward "
                  "unless --overlap-grad-reduce");
  }
  if (f.has("--overlap-param-gather")) o.set("training.overlap_param_gather", "true", "--overlap-param-gather");
  if (f.has("--tp-comm-overlap")) o.set("training.tp_comm_overlap", "true", "--tp-comm-overlap");
  if (f.has("--overlap-p2p-communication")) o.set("training.overlap_p2p_comm", "true", "--overlap-p2p-communication");
  if (f.has("--use-flash-attn")) o.set("training.flash_attention", "true", "--use-flash-attn");
  if (auto c = f.number("--clip-grad")) o.set("training.grad_clip", *c > 0 ? "true" : "false", "--clip-grad");
  if (auto opt = f.text("--optimizer")) {
    if (*opt != "adam" && *opt != "sgd") f.fail("--optimizer", "'" + *opt + "' is not valid; expected adam or sgd");
    o.set("training.optimizer", *opt, "--optimizer");
  }
}

bool gives_model(const MegatronFlags& f) {
  for (const char* k :
       {"--num-layers", "--hidden-size", "--num-attention-heads", "--ffn-hidden-size", "--num-query-groups",
        "--kv-channels", "--swiglu", "--vocab-size", "--padded-vocab-size", "--num-experts"})
    if (f.has(k)) return true;
  return false;
}

// With a model card in the scenario, every dimension the flags give must equal the card's.
void check_against_base(const MegatronFlags& f, const MegatronContext& ctx) {
  const ModelSpec& b = *ctx.base;
  const std::pair<const char*, int> dims[] = {{"--num-layers", b.layers},         {"--hidden-size", b.hidden},
                                              {"--num-attention-heads", b.heads}, {"--ffn-hidden-size", b.ffn},
                                              {"--num-query-groups", b.kv_heads}, {"--kv-channels", b.head_dim},
                                              {"--padded-vocab-size", b.vocab}};
  for (const auto& [flag, card] : dims) {
    auto v = f.integer(flag);
    if (!v || *v == card) continue;
    throw ConfigError(ctx.base_where, "the scenario's model " + b.name + " has " + std::to_string(card) + " but " +
                                          f.where.file + (f.where.line ? ":" + std::to_string(f.where.line) : "") +
                                          ": " + flag + " says " + std::to_string(*v) +
                                          "; make them agree or drop one");
  }
}

}  // namespace

MegatronResult parse_megatron_args(const std::string& args, const SourceLocation& where, const MegatronContext& ctx) {
  MegatronResult r;
  MegatronFlags f = parse_flags(args, where, r);
  Out o{f, r};
  int layers = ctx.base ? ctx.base->layers : 0;
  if (ctx.base) check_megatron_moe_against(f, *ctx.base, ctx.base_where);
  if (gives_model(f)) {
    if (ctx.base) {
      check_against_base(f, ctx);
    } else {
      r.model =
          megatron_model(f, static_cast<int>(f.integer("--tensor-model-parallel-size").value_or(ctx.scenario_tp)));
      layers = r.model->layers;
    }
  }
  read_parallel(o, ctx, layers);
  read_recompute(o);
  read_training(o);
  read_megatron_knobs(f, r);
  read_megatron_moe(f, r);
  return r;
}

}  // namespace trainsim
