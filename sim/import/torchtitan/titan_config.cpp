// torchtitan job TOML -> scenario settings (titan_config.hpp): the model, the
// batch, precision, compile, async TP, activation checkpointing, float8 and the
// optimizer. [parallelism] is in titan_parallel.cpp.
#include "sim/import/torchtitan/titan_config.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "sim/import/torchtitan/titan_reader.hpp"
#include "sim/spec/limits.hpp"
#include "sim/spec/input_file.hpp"

namespace trainsim {
namespace titan {
namespace {

std::string str(long long v) { return std::to_string(v); }

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// torchtitan's model registry (torchtitan/models/llama3/__init__.py llama3_args)
// -> zoo cards whose dimensions equal the TransformerModelArgs of the flavor
// (tests/import/titan_config_test.cpp checks them with torchtitan's FFN rule).
ImportedSetting zoo_model(const Reader& r) {
  const std::string name = r.string("model.name").value_or("llama3");
  const std::string flavor = r.string("model.flavor").value_or("debugmodel");
  const std::string at = r.has("model.flavor") ? "model.flavor" : "model";
  static const std::vector<std::pair<std::string, std::string>> llama3 = {
      {"8B", "llama-3-8b"}, {"70B", "llama-3-70b"}, {"405B", "llama-3-405b"}};
  if (name != "llama3")
    r.fail(r.has("model.name") ? "model.name" : "model",
           "torchtitan model '" + name +
               "' has no zoo card; supported: name = \"llama3\" with flavor \"8B\", \"70B\" or \"405B\"");
  for (const auto& f : llama3)
    if (f.first == flavor) return {"model", f.second, r.at(at), false, "torchtitan llama3 flavor " + flavor};
  if (flavor.rfind("debugmodel", 0) == 0)
    r.fail(at, "torchtitan's " + flavor +
                   " (dim 256, 6 layers, vocabulary 2048) is a test model without a zoo card; use flavor \"8B\", "
                   "\"70B\" or \"405B\"");
  r.fail(at, "llama3 flavor '" + flavor + "' has no zoo card; supported: \"8B\", \"70B\", \"405B\"");
}

// torch.compile of the model: [compile] enable with "model" in components
// (torchtitan/models/llama3/infra/parallelize.py model_compile_enabled), or
// the older [training] compile = true.
bool model_compiled(const Reader& r) {
  if (r.has("compile.enable"))
    return *r.boolean("compile.enable") &&
           (!r.has("compile.components") || contains(r.strings("compile.components"), "model"));
  return r.boolean("training.compile").value_or(false);
}

void read_compile(Reader& r) {
  r.section("compile", {"enable", "components"}, "the compiler backend: trainsim models inductor's fusion");
  const std::string at = r.has("compile.enable") ? "compile.enable" : "training.compile";
  if (!r.has(at)) return;
  const bool on = model_compiled(r);
  r.set("training.compile", on ? "true" : "false", at,
        on || !r.boolean(at).value_or(false) ? "" : "\"model\" not in compile.components");
}

// enable_async_tensor_parallel: torch's micro-pipelined TP (async TP) splits the
// all-gather / reduce-scatter around the TP matmuls into steps overlapped with the
// GEMM pieces; torchtitan requires the model to be compiled
// (torchtitan/distributed/tensor_parallel.py maybe_enable_async_tp).
void read_async_tp(Reader& r) {
  const std::string key = "parallelism.enable_async_tensor_parallel";
  auto on = r.boolean(key);
  if (!on) return;
  if (*on && !model_compiled(r))
    r.fail(key,
           "Async TP requires 'model' in --compile.components and --compile.enable (torchtitan's rule); "
           "set [compile] enable = true");
  r.set("training.tp_comm_overlap", *on ? "true" : "false", key,
        *on ? "async TP overlaps the TP all-gathers and reduce-scatters with the GEMMs" : "");
}

}  // namespace

void read_batch(Reader& r, const Layout& layout) {
  const std::string lk = r.has("training.local_batch_size") ? "training.local_batch_size" : "training.batch_size";
  const long long local = r.integer(lk, 1, kMaxMicroBatch).value_or(8);  // torchtitan's default 8
  const long long dp = layout.dp;
  const std::string gk = "training.global_batch_size";
  long long global = r.integer(gk, -1, kMaxGlobalBatch).value_or(-1);
  if (global == 0 || global < -1) r.fail(gk, "expected -1 (local x data-parallel) or a positive integer");
  const bool derived = global == -1;
  if (derived) global = local * dp;
  // torchtitan/train.py: global_batch_size must be a multiple of local_batch_size x dp.
  if (global % (local * dp) != 0)
    r.fail(gk, "global batch size must be multiple of local batch size times data-parallel degree (" + str(global) +
                   " % (" + str(local) + " x " + str(dp) + ") != 0; torchtitan's rule)");
  long long micro = local;
  const std::string mk = "parallelism.pipeline_parallel_microbatch_size";
  if (layout.pp > 1) {
    micro = r.integer(mk, 1, kMaxMicroBatch).value_or(1);
    if (local % micro != 0)
      r.fail(mk, "Batch size " + str(local) + " must be divisible by microbatch_size " + str(micro) +
                     " (torchtitan's build_pipeline_schedule)");
  }
  r.set("training.micro_batch", str(micro), micro == local ? lk : mk,
        micro == local ? "" : "pipeline micro-batches of local_batch_size " + str(local));
  r.set("training.global_batch", str(global), derived ? lk : gk,
        derived ? "local_batch_size x data-parallel " + str(dp) : "");
  if (auto seq = r.integer("training.seq_len", 1, kMaxSequence))
    r.set("training.seq_len", str(*seq), "training.seq_len");
  else
    r.set_default("training.seq_len", "2048", "training", "torchtitan's default seq_len 2048");
}

namespace {

// mixed_precision_param / _reduce: FSDP2's MixedPrecisionPolicy (param_dtype,
// reduce_dtype), or torch.autocast without FSDP (job_config.py Training).
void read_precision(Reader& r) {
  if (r.string("training.dtype").value_or("float32") != "float32")
    r.fail("training.dtype",
           "training.dtype = bfloat16 keeps parameters, gradients and optimizer states in bf16 "
           "without fp32 master weights; not modelled (use mixed_precision_param)");
  if (r.boolean("training.enable_cpu_offload").value_or(false))
    r.fail("training.enable_cpu_offload",
           "FSDP2 CPU offload of parameters, gradients and optimizer states is not "
           "modelled for torchtitan; use offload.* keys with a DeepSpeed launch");
  const std::string pk = "training.mixed_precision_param", rk = "training.mixed_precision_reduce";
  const std::string param = r.string(pk).value_or("bfloat16"), reduce = r.string(rk).value_or("float32");
  const auto dtype = [&](const std::string& v, const std::string& key) {
    if (v == "bfloat16") return std::string("bf16");
    if (v == "float32") return std::string("fp32");
    r.fail(key, "expected \"bfloat16\" or \"float32\" (torchtitan's choices), found \"" + v + "\"");
  };
  const std::string p = dtype(param, pk), g = dtype(reduce, rk);
  if (r.has(pk))
    r.set("training.precision", p, pk);
  else
    r.set_default("training.precision", p, "training", "torchtitan's default mixed_precision_param bfloat16");
  if (r.has(rk))
    r.set("training.grad_dtype", g, rk, "FSDP2 reduce_dtype");
  else
    r.set_default("training.grad_dtype", g, "training", "torchtitan's default mixed_precision_reduce float32");
  if (auto norm = r.number("training.max_norm"))
    r.set("training.grad_clip", *norm > 0 ? "true" : "false", "training.max_norm");
  else
    r.set_default("training.grad_clip", "true", "training", "torchtitan's default max_norm 1.0");
}

// [model] norm_type (torchtitan 2024, models/norms.py build_norm): "rmsnorm"
// is PyTorch's composite norm (eager kernels), "fused_rmsnorm" the Triton
// kernel and "compiled_rmsnorm" torch.compile's, both one kernel saving the
// input and rstd (training.fused_rmsnorm).
void read_norm_type(Reader& r) {
  const std::optional<std::string> norm = r.string("model.norm_type");
  if (!norm) return;
  if (*norm == "rmsnorm") return r.set("training.fused_rmsnorm", "false", "model.norm_type", "");
  if (*norm == "fused_rmsnorm" || *norm == "compiled_rmsnorm")
    return r.set("training.fused_rmsnorm", "true", "model.norm_type", "one RMSNorm kernel");
  r.fail("model.norm_type", "'" + *norm +
                                "' is not an RMSNorm the llama3 cards use; valid: \"rmsnorm\", \"fused_rmsnorm\", "
                                "\"compiled_rmsnorm\"");
}

void read_model_section(Reader& r) {
  read_norm_type(r);
  r.section("model", {"name", "flavor", "converters", "norm_type"},
            "paths and printing: no effect on step time or memory");
}

}  // namespace
namespace {

// [activation_checkpoint] (torchtitan/distributed/activation_checkpoint.py):
// "full" wraps every block; "selective" with "op" saves the outputs of chosen
// ops (matmuls, attention) and recomputes the rest; with an integer N
// (_apply_layer_sac) it wraps every N-th block in full checkpointing and leaves
// the others storing everything. trainsim states that as training.recompute
// full with recompute_num_layers = the chunk's layers / N under method block:
// the same number of fully recomputed layers per stage (all layers are alike,
// so which ones does not change time or memory). N <= 1 wraps every block.
void read_ac(Reader& r, const Layout& l) {
  r.section("activation_checkpoint", {"mode", "selective_ac_option", "memory_budget"},
            "debugging, RNG and early-stop options: no effect on step time or memory");
  const std::string mk = "activation_checkpoint.mode", ok = "activation_checkpoint.selective_ac_option";
  const bool given = r.has(mk);
  const std::string mode = r.string(mk).value_or("selective");  // torchtitan's default: selective, option "2"
  const std::string option = r.scalar_text(ok).value_or("2");
  const std::string from = given ? mk : "activation_checkpoint";
  auto put = [&](const std::string& key, const std::string& value, const std::string& at, const std::string& note) {
    if (given)
      r.set(key, value, at, note);
    else
      r.set_default(key, value, from, "torchtitan's default activation_checkpoint selective, option 2; " + note);
  };
  if (mode == "none" || mode == "full") return put("training.recompute", mode, from, "");
  if (mode == "memory_budget")
    r.fail(mk,
           "mode memory_budget leaves recomputation to the compiler's partitioner; not modelled (use none, "
           "selective or full)");
  if (mode != "selective")
    r.fail(mk, "expected \"none\", \"selective\", \"full\" or \"memory_budget\", found \"" + mode + "\"");
  if (option == "op") return put("training.recompute", "selective", ok, "per-op SAC");
  if (option.empty() || !std::all_of(option.begin(), option.end(), [](char c) { return c >= '0' && c <= '9'; }))
    r.fail(ok, "expected \"op\" or a layer interval (an integer), found \"" + option + "\"");
  const long long every = std::stoll(option.substr(0, 9));
  const long long chunk = r.ctx().layers / std::max(1LL, l.pp * l.vp);
  const long long wrapped = every <= 1 ? chunk : chunk / every;
  if (wrapped == 0) return put("training.recompute", "none", ok, "no layer of a chunk reaches the interval");
  put("training.recompute", "full", ok, "every " + option + "-th layer fully recomputed");
  if (wrapped < chunk) {
    put("training.recompute_num_layers", str(wrapped), ok, str(wrapped) + " of " + str(chunk) + " layers per chunk");
    put("training.recompute_method", "block", ok, "");
  }
}

// model.converters "float8" / "quantize.linear.float8" (torchao Float8Linear;
// recipe_name None = tensorwise dynamic scaling) or "mx" / "quantize.linear.mx"
// (MXLinear, mxfp8); older: [float8] enable_float8_linear.
void read_float8(Reader& r) {
  const std::string why = "which modules stay in bf16: trainsim applies FP8 to the transformer GEMMs";
  r.section("quantize.linear.float8", {"recipe_name", "enable_fsdp_float8_all_gather"}, why);
  r.section("quantize.linear.mx", {"recipe_name"}, why);
  r.section("quantize.grouped_mm.float8", {}, "MoE grouped GEMMs: dense models only");
  r.section("quantize.grouped_mm.mx", {}, "MoE grouped GEMMs: dense models only");
  r.section("float8", {"enable_float8_linear", "recipe_name", "enable_fsdp_float8_all_gather"}, why);
  r.section("mx", {"recipe_name"}, why);
  const auto conv = r.strings("model.converters");
  const bool mx = contains(conv, "mx") || contains(conv, "quantize.linear.mx");
  const bool f8 = contains(conv, "float8") || contains(conv, "quantize.linear.float8") ||
                  r.boolean("float8.enable_float8_linear").value_or(false);
  if (!mx && !f8) return;
  const std::string at = r.has("model.converters") ? "model.converters" : "float8.enable_float8_linear";
  r.set("training.precision", "fp8", at, mx ? "MX converter" : "Float8 converter");
  if (mx) return r.set("training.fp8_recipe", "mxfp8", at, "");
  const std::string sec = r.has("quantize.linear.float8") ? "quantize.linear.float8" : "float8";
  const std::string recipe = r.string(sec + ".recipe_name").value_or("tensorwise");
  if (recipe != "tensorwise" && recipe != "rowwise" && recipe != "rowwise_with_gw_hp")
    r.fail(sec + ".recipe_name",
           "expected \"tensorwise\", \"rowwise\" or \"rowwise_with_gw_hp\", found \"" + recipe + "\"");
  if (recipe == "rowwise_with_gw_hp")
    r.warn(r.at(sec + ".recipe_name").file +
           ": recipe rowwise_with_gw_hp is modelled as rowwise (its weight-gradient "
           "GEMM in bf16 is not)");
  r.set("training.fp8_recipe", recipe == "tensorwise" ? "tensorwise" : "rowwise",
        r.has(sec + ".recipe_name") ? sec + ".recipe_name" : at,
        r.has(sec + ".recipe_name") ? "" : "torchao's default: tensorwise dynamic scaling");
  if (r.boolean(sec + ".enable_fsdp_float8_all_gather").value_or(false))
    r.warn(r.at(sec + ".enable_fsdp_float8_all_gather").file +
           ": enable_fsdp_float8_all_gather: the FSDP all-gathers are counted in bf16 (FP8 all-gather not modelled)");
}

void read_optimizer(Reader& r) {
  r.section("optimizer", {"name"}, "learning rate, betas, decay, implementation: no effect on memory");
  const std::string name = r.string("optimizer.name").value_or("AdamW");
  if (name != "AdamW" && name != "Adam")
    r.fail("optimizer.name", "optimizer '" + name + "' is not modelled for torchtitan; valid: AdamW, Adam");
  if (r.has("optimizer.name"))
    r.set("training.optimizer", "adam", "optimizer.name", "two fp32 states per parameter");
  else
    r.set_default("training.optimizer", "adam", "optimizer", "torchtitan's default optimizer AdamW");
}

std::string read_text(const std::string& path) {
  return read_input_file(path, "torchtitan job config (torchtitan_config / --torchtitan-config)");
}

}  // namespace
}  // namespace titan

ImportedSetting parse_titan_model(const std::string& text, const std::string& file) {
  const TitanContext none;  // the model needs no context
  titan::Reader r(text, file, none);
  r.check_sections();
  return titan::zoo_model(r);
}

ImportedSetting read_titan_model(const std::string& path) { return parse_titan_model(titan::read_text(path), path); }

ImportResult parse_titan_config(const std::string& text, const std::string& file, const TitanContext& ctx) {
  titan::Reader r(text, file, ctx);
  r.check_sections();
  titan::zoo_model(r);
  titan::read_model_section(r);
  r.set("framework.name", "torchtitan", "", "a torchtitan job config");
  titan::Layout layout = titan::read_parallelism(r);
  r.section("training",
            {"local_batch_size", "batch_size", "global_batch_size", "seq_len", "max_norm", "mixed_precision_param",
             "mixed_precision_reduce", "dtype", "enable_cpu_offload", "compile"},
            "data set, steps, garbage collection: no effect on step time or memory");
  r.section("training.dataloader", {}, "data loading: no effect on step time or memory");
  titan::read_batch(r, layout);
  titan::read_precision(r);
  titan::read_compile(r);
  titan::read_async_tp(r);
  titan::read_ac(r, layout);
  titan::read_float8(r);
  titan::read_optimizer(r);
  return r.out();
}

ImportResult read_titan_config(const std::string& path, const TitanContext& ctx) {
  return parse_titan_config(titan::read_text(path), path, ctx);
}

}  // namespace trainsim
