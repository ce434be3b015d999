// ds_config.json -> scenario settings (ds_config.hpp): the top level, the
// batch rule, precision, clipping, optimizer and pipeline. ZeRO, offload and
// aio are in ds_config_zero.cpp.
#include "sim/import/deepspeed/ds_config.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "sim/config/json_read.hpp"
#include "sim/import/deepspeed/ds_reader.hpp"
#include "sim/spec/input_file.hpp"
#include "sim/spec/limits.hpp"

namespace trainsim {
namespace ds {
namespace {

std::string str(long long v) { return std::to_string(v); }

// DeepSpeed's world_size for the batch rule: the data-parallel size.
long long world_size(const Reader& r, std::string& how) {
  const DsContext& c = r.ctx();
  long long pp = r.pp_from_pipeline.value_or(c.pp);
  if (c.dp) {
    how = "parallel.dp = " + str(*c.dp);
    return *c.dp;
  }
  how = str(c.gpus) + " GPUs / (tp " + str(c.tp) + " x pp " + str(pp) + " x cp " + str(c.cp) + ")";
  long long model_parallel = std::max(1LL, static_cast<long long>(c.tp) * pp * c.cp);
  if (c.gpus < model_parallel)
    r.fail(r.pp_from_pipeline ? "/pipeline/stages" : "",
           "no data-parallel rank: " + how + " is 0 (DeepSpeed's world_size for the batch rule); give at most " +
               str(std::max(1LL, c.gpus / std::max(1LL, static_cast<long long>(c.tp) * c.cp))) +
               " pipeline stages, or more GPUs");
  return c.gpus / model_parallel;
}

struct Batch {
  std::optional<long long> train, micro, accum;
};

// HF TrainingArguments.per_device_train_batch_size's default
// (transformers/src/transformers/training_args.py).
constexpr int kHfMicroBatch = 8;

// "auto" batch keys take the scenario's values, as the HF Trainer fills them
// from its arguments (per_device_train_batch_size, gradient_accumulation_steps);
// the Trainer's own defaults where the scenario is silent.
Batch batch_values(Reader& r) {
  const DsContext& c = r.ctx();
  Batch b;
  b.micro = r.is_auto("/train_micro_batch_size_per_gpu")
                ? (c.micro_batch_given ? c.micro_batch : kHfMicroBatch)
                : r.integer("/train_micro_batch_size_per_gpu", 1, kMaxMicroBatch);
  if (r.is_auto("/train_batch_size")) {
    if (c.global_batch) b.train = *c.global_batch;
  } else {
    b.train = r.integer("/train_batch_size", 1, kMaxGlobalBatch);
  }
  if (r.is_auto("/gradient_accumulation_steps")) {
    if (!c.global_batch) b.accum = 1;  // HF's default gradient_accumulation_steps; else derived below
  } else {
    b.accum = r.integer("/gradient_accumulation_steps", 1, kMaxMicroBatches);
  }
  return b;
}

// deepspeed/runtime/config.py _set_batch_related_parameters: any two derive the third.
void derive(Reader& r, Batch& b, long long world) {
  if (b.train && b.micro && b.accum) return;
  if (b.train && b.micro)
    b.accum = *b.train / *b.micro / world;
  else if (b.train && b.accum)
    b.micro = *b.train / world / *b.accum;
  else if (b.micro && b.accum)
    b.train = *b.micro * *b.accum * world;
  else if (b.train)
    b.accum = 1, b.micro = *b.train / world;
  else if (b.micro)
    b.accum = 1, b.train = *b.micro * world;
  else
    r.fail("/train_batch_size",
           "Either train_batch_size or train_micro_batch_size_per_gpu needs to be provided "
           "(DeepSpeed's rule); give one of them, or \"auto\" to take the scenario's");
}

// The three batch keys as DeepSpeed ends up with them; each "auto" said.
void resolve_batch(Reader& r, const Batch& b) {
  const bool given = r.ctx().micro_batch_given, global = r.ctx().global_batch.has_value();
  const std::pair<const char*, std::pair<long long, std::string>> keys[] = {
      {"/train_batch_size", {*b.train, global ? "training.global_batch" : "micro x accumulation x data-parallel"}},
      {"/train_micro_batch_size_per_gpu",
       {*b.micro, given ? "training.micro_batch" : "HF Trainer default per_device_train_batch_size"}},
      {"/gradient_accumulation_steps",
       {*b.accum, global ? "global / (micro x data-parallel)" : "HF Trainer default gradient_accumulation_steps"}}};
  for (const auto& [p, v] : keys) {
    if (r.is_auto(p))
      r.resolve_auto(p, v.first, v.second);
    else
      r.resolve(p, v.first);
  }
}

}  // namespace

void read_batch(Reader& r) {
  std::string how;
  long long world = world_size(r, how);
  Batch b = batch_values(r);
  derive(r, b, world);
  std::string at = r.has("/train_batch_size") ? "/train_batch_size" : "/train_micro_batch_size_per_gpu";
  if (*b.micro < 1)
    r.fail(at, "Micro batch size per gpu: " + str(*b.micro) +
                   " has to be greater than 0 (DeepSpeed's rule; derived as "
                   "train_batch_size / accumulation / world_size with world_size " +
                   str(world) + ", " + how + ")");
  if (*b.accum < 1)
    r.fail(at, "Gradient accumulation steps: " + str(*b.accum) +
                   " has to be greater than 0 (DeepSpeed's rule; derived "
                   "as train_batch_size / micro-batch / world_size with world_size " +
                   str(world) + ", " + how + ")");
  if (*b.train != *b.micro * *b.accum * world)
    r.fail(at,
           "Check batch related parameters. train_batch_size is not equal to micro_batch_per_gpu * "
           "gradient_acc_step * world_size " +
               str(*b.train) + " != " + str(*b.micro) + " * " + str(*b.accum) + " * " + str(world) +
               " (DeepSpeed's rule; world_size is the data-parallel size, " + how +
               "); make train_batch_size = micro x accumulation x " + str(world) + " or give only two of the three");
  std::string mb_at = r.has("/train_micro_batch_size_per_gpu") ? "/train_micro_batch_size_per_gpu" : at;
  std::string tb_at = r.has("/train_batch_size") ? "/train_batch_size" : mb_at;
  r.set("training.micro_batch", str(*b.micro), mb_at, r.has("/train_micro_batch_size_per_gpu") ? "" : "derived");
  r.set("training.global_batch", str(*b.train), tb_at, r.has("/train_batch_size") ? "" : "derived");
  resolve_batch(r, b);
}

namespace {

// fp16.enabled / bf16.enabled: true, false or "auto" (the scenario's
// precision; off when the scenario gives none, as TrainingArguments' fp16 and
// bf16 default to False: fp32 without --bf16/--fp16).
bool enabled(Reader& r, const std::string& section, const std::string& precision) {
  std::string p = "/" + section + "/enabled";
  if (r.is_auto(p)) {
    const bool given = r.ctx().precision_given;
    bool on = given && r.ctx().precision == precision;
    r.resolve_auto(p, on, given ? "training.precision " + r.ctx().precision : "HF Trainer default: no --" + precision);
    return on;
  }
  return r.boolean(p).value_or(false);
}

}  // namespace

void read_precision(Reader& r) {
  r.section("/fp16", "fp16", {"enabled"}, "loss scaling: no effect on step time or memory");
  bool fp16 = r.has("/fp16") && enabled(r, "fp16", "fp16");
  std::string bf = r.has("/bf16") ? "bf16" : "bfloat16";  // "bfloat16": DeepSpeed's older spelling
  r.section("/" + bf, "bf16", {"enabled"});
  bool bf16 = r.has("/" + bf) && enabled(r, bf, "bf16");
  if (fp16 && bf16)
    r.fail("/" + bf + "/enabled",
           "bfloat16 and fp16 modes cannot be simultaneously enabled (DeepSpeed's rule); "
           "enable one of them");
  if (fp16)
    r.set("training.precision", "fp16", "/fp16/enabled");
  else if (bf16)
    r.set("training.precision", "bf16", "/" + bf + "/enabled");
  else
    r.set_default("training.precision", "fp32", "/fp16",
                  "DeepSpeed trains in fp32 when neither fp16 nor bf16 is enabled");
}

void read_clipping(Reader& r) {
  const std::string p = "/gradient_clipping";
  if (r.is_auto(p)) {
    double v = r.ctx().grad_clip ? 1.0 : 0.0;  // HF TrainingArguments.max_grad_norm defaults to 1.0
    r.resolve_auto(p, v, "training.grad_clip; HF Trainer default max_grad_norm 1.0");
    r.set("training.grad_clip", r.ctx().grad_clip ? "true" : "false", p, "auto: training.grad_clip");
  } else if (auto v = r.number(p)) {
    if (*v < 0) r.fail(p, "expected a number >= 0 (0 disables clipping), found " + std::to_string(*v));
    r.set("training.grad_clip", *v > 0 ? "true" : "false", p);
  } else {
    r.set_default("training.grad_clip", "false", p, "DeepSpeed's gradient_clipping default is 0 (no clipping)");
  }
}

void read_optimizer(Reader& r) {
  if (!r.section("/optimizer", "optimizer", {"type"})) return;
  auto type = r.string("/optimizer/type");
  if (!type) r.fail("/optimizer", "an optimizer section needs \"type\" (e.g. \"AdamW\")");
  std::string t = *type;
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const std::vector<std::string> two_states = {"adam",       "adamw",  "onebitadam", "zerooneadam", "lamb",
                                                      "onebitlamb", "muadam", "muadamw",    "fusedadam",   "cpuadam"};
  static const std::vector<std::string> one_state = {"sgd", "musgd", "adagrad", "lion"};
  if (std::find(two_states.begin(), two_states.end(), t) != two_states.end())
    r.set("training.optimizer", "adam", "/optimizer/type", "two fp32 states per parameter");
  else if (std::find(one_state.begin(), one_state.end(), t) != one_state.end())
    r.set("training.optimizer", "sgd", "/optimizer/type", "one fp32 state per parameter");
  else
    r.fail("/optimizer/type", "optimizer '" + *type +
                                  "' is not modelled; valid: Adam, AdamW, OneBitAdam, "
                                  "ZeroOneAdam, Lamb, OneBitLamb (two states), SGD, Adagrad, Lion (one state)");
}

void read_pipeline(Reader& r) {
  if (!r.section("/pipeline", "pipeline", {"stages"})) return;
  if (r.is_auto("/pipeline/stages")) return;  // DeepSpeed's default: PipelineModule(num_stages=...) decides
  if (auto s = r.integer("/pipeline/stages", 1, kMaxParallel)) {
    r.pp_from_pipeline = static_cast<int>(*s);
    r.set("parallel.pp", std::to_string(*s), "/pipeline/stages");
  }
}

}  // namespace ds

DsConfigResult parse_ds_config(const std::string& raw, const std::string& file, const DsContext& ctx) {
  // DeepSpeed reads the file with hjson.load(..., object_pairs_hook=
  // dict_raise_error_on_duplicate_keys) (deepspeed/runtime/config.py,
  // DeepSpeedConfig.__init__; the hook is in deepspeed/runtime/config_utils.py):
  // comments and trailing commas are accepted and a duplicate key is an error.
  JsonReadOptions opts;
  opts.what = "ds_config";
  opts.hjson_comments = true;
  opts.hint =
      " (DeepSpeed reads ds_config with hjson; trainsim accepts JSON plus hjson's comments and trailing commas; "
      "convert other hjson syntax with: python3 -c 'import hjson,json,sys; "
      "json.dump(hjson.load(open(sys.argv[1])), sys.stdout, indent=2)' FILE)";
  opts.duplicate_note =
      "; DeepSpeed refuses duplicate keys (dict_raise_error_on_duplicate_keys, deepspeed/runtime/config_utils.py)";
  JsonText parsed = read_json(raw, file, opts);
  const nlohmann::json& root = parsed.root;
  const std::string& text = parsed.text;
  if (!root.is_object()) throw ConfigError({file, 1, ""}, "a ds_config.json must hold one JSON object {...}");
  ds::Reader r(root, text, file, ctx);
  r.section(
      "", "",
      {"train_batch_size", "train_micro_batch_size_per_gpu", "gradient_accumulation_steps", "zero_optimization", "fp16",
       "bf16", "bfloat16", "gradient_clipping", "aio", "optimizer", "pipeline", "activation_checkpointing"});
  r.section("/activation_checkpointing", "activation_checkpointing", {},
            "DeepSpeed recomputes only the functions the model wraps in deepspeed.checkpointing.checkpoint; "
            "the scenario's training.recompute states what is recomputed");
  read_pipeline(r);
  read_batch(r);
  read_precision(r);
  read_clipping(r);
  read_optimizer(r);
  read_zero(r);
  read_aio(r);
  DsConfigResult out = r.out();
  out.resolved_json = r.resolved().dump(2) + "\n";
  return out;
}

DsConfigResult read_ds_config(const std::string& path, const DsContext& ctx) {
  return parse_ds_config(read_input_file(path, "DeepSpeed config file (deepspeed_config / --ds-config)"), path, ctx);
}

}  // namespace trainsim
