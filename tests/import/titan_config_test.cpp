// torchtitan job TOML importer (sim/import/torchtitan/titan_config.hpp): each
// section's mapping, data_parallel_shard_degree -1, torchtitan's own errors,
// errors at file:line:key, the nearest key for a misspelling, ignored
// sections, the zoo cards against torchtitan's llama3 model args, and the
// scenarios of scenarios/torchtitan/ loaded through the scenario loader.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "sim/import/torchtitan/titan_config.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/load/scenario_loader.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::error_of;
using test::has;

TitanContext ctx(int gpus, int layers = 32) {
  TitanContext c;
  c.gpus = gpus;
  c.layers = layers;
  return c;
}

// The value an explicit (not tool-default) setting gives `key`, or "(unset)".
std::string value_of(const ImportResult& r, const std::string& key) {
  for (const auto& s : r.settings)
    if (s.key == key && !s.tool_default) return s.value;
  return "(unset)";
}

const ImportedSetting* setting(const ImportResult& r, const std::string& key) {
  for (const auto& s : r.settings)
    if (s.key == key) return &s;
  return nullptr;
}

bool any_of(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return has(l, part); });
}

ImportResult parse(const std::string& toml, int gpus = 8, int layers = 32) {
  return parse_titan_config("[model]\nname = \"llama3\"\nflavor = \"8B\"\n" + toml, "t.toml", ctx(gpus, layers));
}

std::string scenario_path(const std::string& name) {
  return std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/scenarios/torchtitan/" + name + ".yaml";
}

}  // namespace

TEST_CASE("[model]: torchtitan's llama3 flavors name zoo cards; others are refused with the supported list") {
  auto m = parse_titan_model("[model]\nname = \"llama3\"\nflavor = \"70B\"\n", "t.toml");
  CHECK(m.key == "model");
  CHECK(m.value == "llama-3-70b");
  CHECK(m.where.line == 3);
  CHECK(parse_titan_model("[model]\nflavor = \"405B\"\n", "t.toml").value ==
        "llama-3-405b");  // name defaults to llama3
  std::string e =
      error_of([] { parse_titan_model("[model]\nname = \"llama3\"\nflavor = \"debugmodel\"\n", "t.toml"); });
  CHECK(has(e, "t.toml:3"));
  CHECK(has(e, "test model"));
  e = error_of([] { parse_titan_model("[model]\nname = \"deepseek_v3\"\nflavor = \"16B\"\n", "t.toml"); });
  CHECK(has(e, "model.name"));
  CHECK(has(e, "\"8B\", \"70B\" or \"405B\""));
}

TEST_CASE("[model] norm_type: the 2024 fused and compiled RMSNorms are one kernel; others are refused") {
  CHECK(value_of(parse("norm_type = \"fused_rmsnorm\"\n"), "training.fused_rmsnorm") == "true");
  CHECK(value_of(parse("norm_type = \"compiled_rmsnorm\"\n"), "training.fused_rmsnorm") == "true");
  CHECK(value_of(parse("norm_type = \"rmsnorm\"\n"), "training.fused_rmsnorm") == "false");
  CHECK(value_of(parse(""), "training.fused_rmsnorm") == "(unset)");
  const std::string e = error_of([] { parse("norm_type = \"layernorm\"\n"); });
  CHECK(has(e, "t.toml:4"));
  CHECK(has(e, "model.norm_type"));
  CHECK(has(e, "fused_rmsnorm"));
}

TEST_CASE("the zoo cards have torchtitan's llama3 dimensions (TransformerModelArgs and its FFN rule)") {
  // torchtitan/models/llama3/__init__.py llama3_args and model/args.py: FFN =
  // multiple_of * ceil(int(ffn_dim_multiplier * int(2 * 4 * dim / 3)) / multiple_of), vocabulary 128256.
  struct Flavor {
    const char* card;
    int dim, layers, heads, kv_heads;
    double multiplier;
    int multiple_of;
  };
  for (const Flavor& f :
       {Flavor{"llama-3-8b", 4096, 32, 32, 8, 1.3, 1024}, Flavor{"llama-3-70b", 8192, 80, 64, 8, 1.3, 4096},
        Flavor{"llama-3-405b", 16384, 126, 128, 8, 1.2, 4096}}) {
    ModelSpec m = load_model(test::zoo().resolve(ZooKind::model, f.card, "", {}).string());
    const int hidden = static_cast<int>(f.multiplier * (2 * 4 * f.dim / 3));
    const int ffn = f.multiple_of * ((hidden + f.multiple_of - 1) / f.multiple_of);
    CAPTURE(f.card);
    CHECK(m.hidden == f.dim);
    CHECK(m.layers == f.layers);
    CHECK(m.heads == f.heads);
    CHECK(m.kv_heads == f.kv_heads);
    CHECK(m.ffn == ffn);
    CHECK(m.vocab == 128256);
  }
}

TEST_CASE("[parallelism]: shard degree -1 takes the rest; FSDP is ZeRO-3 over dp_shard x cp; DDP is not sharded") {
  auto r = parse("[parallelism]\ndata_parallel_shard_degree = -1\ntensor_parallel_degree = 8\n", 256);
  CHECK(value_of(r, "parallel.dp_shard") == "32");
  CHECK(value_of(r, "parallel.dp") == "32");
  CHECK(value_of(r, "parallel.tp") == "8");
  CHECK(value_of(r, "parallel.zero_stage") == "3");
  CHECK(value_of(r, "parallel.sequence_parallel") == "true");
  CHECK(any_of(r.assumptions, "-1 -> 32"));
  r = parse("[parallelism]\ndata_parallel_replicate_degree = 4\ndata_parallel_shard_degree = 2\n", 8);
  CHECK(value_of(r, "parallel.dp_replicate") == "4");
  CHECK(value_of(r, "parallel.dp") == "8");  // HSDP: dp = replicate x shard
  CHECK(value_of(r, "parallel.zero_stage") == "3");
  r = parse("[parallelism]\ndata_parallel_replicate_degree = 8\ndata_parallel_shard_degree = 1\n", 8);
  CHECK(value_of(r, "parallel.zero_stage") == "0");  // DDP
  r = parse("[parallelism]\ndata_parallel_shard_degree = 1\ncontext_parallel_degree = 8\n", 8);
  CHECK(value_of(r, "parallel.zero_stage") == "3");  // FSDP over the CP ranks (ParallelDims.fsdp_enabled)
  CHECK(value_of(r, "parallel.cp") == "8");
  std::string e = error_of([] { parse("[parallelism]\ndata_parallel_shard_degree = 4\n", 8); });
  CHECK(has(e, "t.toml:5: parallelism.data_parallel_shard_degree"));
  CHECK(has(e, "WORLD_SIZE(8)"));
  e = error_of([] { parse("[parallelism]\ntensor_parallel_degree = 16\n", 8); });
  CHECK(has(e, "only 8 GPUs"));
}

TEST_CASE("[parallelism]: schedules, virtual stages, micro-batches, reshard policy and async TP") {
  auto r = parse(
      "[training]\nlocal_batch_size = 16\n[parallelism]\npipeline_parallel_degree = 8\n"
      "pipeline_parallel_schedule = \"Interleaved1F1B\"\ntensor_parallel_degree = 8\n",
      512, 126);
  CHECK(value_of(r, "parallel.schedule") == "interleaved-1f1b");
  CHECK(value_of(r, "parallel.vp") == "2");
  CHECK(value_of(r, "parallel.embedding_in_pp_split") == "true");
  CHECK(value_of(r, "training.micro_batch") == "1");     // pipeline_parallel_microbatch_size's default
  CHECK(value_of(r, "training.global_batch") == "128");  // 16 x dp 8
  r = parse(
      "[parallelism]\npipeline_parallel_degree = 4\npipeline_parallel_schedule = \"Interleaved1F1B\"\n"
      "pipeline_parallel_layers_per_stage = 2\n",
      8, 30);
  CHECK(value_of(r, "parallel.vp") == "4");  // (30 + 1 + 1) / 2 = 16 stages over 4 ranks
  std::string e = error_of(
      [] { parse("[parallelism]\npipeline_parallel_degree = 4\npipeline_parallel_layers_per_stage = 2\n", 8, 30); });
  CHECK(has(e, "Single stage schedule"));
  e = error_of(
      [] { parse("[parallelism]\npipeline_parallel_degree = 2\npipeline_parallel_schedule = \"ZBVZeroBubble\"\n"); });
  CHECK(has(e, "t.toml:6: parallelism.pipeline_parallel_schedule"));
  CHECK(has(e, "Interleaved1F1B"));
  r = parse("[parallelism]\nfsdp_reshard_after_forward = \"never\"\n");
  CHECK(value_of(r, "parallel.reshard_after_forward") == "false");
  r = parse("[parallelism]\nfsdp_reshard_after_forward = \"default\"\n");
  CHECK(value_of(r, "parallel.reshard_after_forward") == "auto");
  e = error_of([] { parse("[parallelism]\ntensor_parallel_degree = 8\nenable_async_tensor_parallel = true\n"); });
  CHECK(has(e, "Async TP requires"));
  r = parse(
      "[parallelism]\ntensor_parallel_degree = 8\nenable_async_tensor_parallel = true\n[compile]\nenable = true\n");
  CHECK(value_of(r, "training.tp_comm_overlap") == "true");
  CHECK(value_of(r, "training.compile") == "true");
}

TEST_CASE("[activation_checkpoint]: none, full, per-op selective, and every N-th layer as partial full recompute") {
  CHECK(value_of(parse("[activation_checkpoint]\nmode = \"none\"\n"), "training.recompute") == "none");
  CHECK(value_of(parse("[activation_checkpoint]\nmode = \"full\"\n"), "training.recompute") == "full");
  auto r = parse("[activation_checkpoint]\nmode = \"selective\"\nselective_ac_option = \"op\"\n");
  CHECK(value_of(r, "training.recompute") == "selective");
  r = parse("[activation_checkpoint]\nmode = \"selective\"\nselective_ac_option = \"4\"\n");
  CHECK(value_of(r, "training.recompute") == "full");
  CHECK(value_of(r, "training.recompute_num_layers") == "8");  // 32 layers / 4
  CHECK(value_of(r, "training.recompute_method") == "block");
  r = parse("[activation_checkpoint]\nmode = \"selective\"\nselective_ac_option = 1\n");
  CHECK(value_of(r, "training.recompute") == "full");
  CHECK(value_of(r, "training.recompute_num_layers") == "(unset)");  // every layer
  r = parse("");  // torchtitan's default: selective, option "2": a tool default
  const ImportedSetting* s = setting(r, "training.recompute_num_layers");
  REQUIRE(s != nullptr);
  CHECK(s->tool_default);
  CHECK(s->value == "16");
  std::string e = error_of([] { parse("[activation_checkpoint]\nmode = \"memory_budget\"\n"); });
  CHECK(has(e, "t.toml:5: activation_checkpoint.mode"));
}

TEST_CASE("[training], [compile], float8 and [optimizer]") {
  auto r = parse(
      "[training]\nlocal_batch_size = 2\nglobal_batch_size = 64\nseq_len = 4096\nmax_norm = 0.0\n"
      "mixed_precision_param = \"float32\"\n");
  CHECK(value_of(r, "training.micro_batch") == "2");
  CHECK(value_of(r, "training.global_batch") == "64");  // 2 accumulation steps on 8 GPUs x 2
  CHECK(value_of(r, "training.seq_len") == "4096");
  CHECK(value_of(r, "training.grad_clip") == "false");
  CHECK(value_of(r, "training.precision") == "fp32");
  CHECK(value_of(r, "framework.name") == "torchtitan");
  std::string e = error_of([] { parse("[training]\nlocal_batch_size = 2\nglobal_batch_size = 20\n"); });
  CHECK(has(e, "multiple of local batch size"));
  r = parse("[training]\nbatch_size = 4\ncompile = true\n");  // the older spellings
  CHECK(value_of(r, "training.micro_batch") == "4");
  CHECK(value_of(r, "training.compile") == "true");
  r = parse("[compile]\nenable = true\ncomponents = [\"loss\"]\n");
  CHECK(value_of(r, "training.compile") == "false");  // the model is not compiled
  r = parse_titan_config(
      "[model]\nflavor = \"8B\"\nconverters = [\"float8\"]\n[quantize.linear.float8]\n"
      "recipe_name = \"rowwise\"\n",
      "t.toml", ctx(8));
  CHECK(value_of(r, "training.precision") == "fp8");
  CHECK(value_of(r, "training.fp8_recipe") == "rowwise");
  r = parse("[float8]\nenable_float8_linear = true\n");
  CHECK(value_of(r, "training.fp8_recipe") == "tensorwise");
  r = parse("[quantize.linear.float8]\nenable_fsdp_float8_all_gather = true\n");  // no converter: bf16
  CHECK(value_of(r, "training.precision") == "(unset)");
  CHECK(value_of(parse("[optimizer]\nname = \"Adam\"\n"), "training.optimizer") == "adam");
  e = error_of([] { parse("[optimizer]\nname = \"Muon\"\n"); });
  CHECK(has(e, "optimizer.name"));
}

TEST_CASE("errors name file:line:key; misspellings get the nearest key; ignored sections are listed once") {
  std::string e = error_of([] { parse("[parallelism]\ntensor_paralel_degree = 2\n"); });
  CHECK(has(e, "t.toml:5: parallelism.tensor_paralel_degree"));
  CHECK(has(e, "did you mean 'tensor_parallel_degree'"));
  e = error_of([] { parse("[activation_checkpointing]\nmode = \"full\"\n"); });
  CHECK(has(e, "did you mean [activation_checkpoint]"));
  e = error_of([] { parse("[training.dataloader]\nnum_worker = 2\n"); });
  CHECK(has(e, "'num_workers'"));
  e = error_of([] { parse("[training]\nseq_len = \"long\"\n"); });
  CHECK(has(e, "t.toml:5: training.seq_len"));
  CHECK(has(e, "expected an integer"));
  e = error_of([] { parse("[training\nseq_len = 3\n"); });
  CHECK(has(e, "malformed TOML"));
  CHECK(has(e, "t.toml:4"));
  auto r = parse(
      "[job]\ndump_folder = \"o\"\ndescription = \"x\"\n[checkpoint]\nenable = true\n[lr_scheduler]\n"
      "warmup_steps = 2\n[training]\nsteps = 10\ndataset = \"c4\"\n");
  CHECK(std::count_if(r.ignored.begin(), r.ignored.end(), [](const std::string& l) { return has(l, "job "); }) == 1);
  CHECK(any_of(r.ignored, "checkpoint (the whole section"));
  CHECK(any_of(r.ignored, "lr_scheduler (the whole section"));
  CHECK(any_of(r.ignored, "training.steps"));
  CHECK(!any_of(r.ignored, "training.seq_len"));
}

TEST_CASE("scenarios/torchtitan load through torchtitan_config with the TOML's layout") {
  Scenario s = load_scenario(scenario_path("llama3-8b-fsdp-8xh100"), {}, test::zoo());
  CHECK(s.model.name == "llama-3-8b");
  CHECK(s.framework == Framework::torchtitan);
  CHECK(s.parallel.dp == 8);
  CHECK(s.parallel.zero_stage == 3);
  CHECK(s.training.recompute == Recompute::selective);
  CHECK(!s.training.compile);
  CHECK(load_scenario(scenario_path("llama3-8b-fsdp-8xh100-compiled"), {}, test::zoo()).training.compile);
  s = load_scenario(scenario_path("llama3-70b-fsdp32-tp8-256xh100-async-tp"), {}, test::zoo());
  CHECK(s.parallel.tp == 8);
  CHECK(s.parallel.dp == 32);
  CHECK(s.training.overlap.tp_comm);
  CHECK(!load_scenario(scenario_path("llama3-70b-fsdp32-tp8-256xh100"), {}, test::zoo()).training.overlap.tp_comm);
  s = load_scenario(scenario_path("llama3-405b-cp4-128k-512xh100"), {}, test::zoo());
  CHECK(s.parallel.cp == 4);
  CHECK(s.parallel.dp == 16);
  CHECK(s.training.seq_len == 131072);
  // An explicit scenario key that contradicts the TOML is an error naming both places.
  std::string e = error_of([] {
    test::scenario("cluster: dgx-h100-80gb\nnodes: 1\ntorchtitan_config: " + std::string(TRAINSIM_DEFAULT_DATA_DIR) +
                   "/scenarios/torchtitan/llama3_8b.toml\n"
                   "parallel:\n  tp: 2\n");
  });
  CHECK(has(e, "the scenario says 2"));
  CHECK(has(e, "llama3_8b.toml"));
}

TEST_CASE("the 405B FSDP x TP x PP TOMLs read into their layouts (the scenarios wait for ZeRO-3 with PP)") {
  const std::string dir = std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/scenarios/torchtitan/";
  struct Case {
    const char* file;
    const char* schedule;
    const char* vp;
  };
  for (const Case& c : {Case{"llama3_405b_pp8_1f1b.toml", "1f1b", "1"},
                        Case{"llama3_405b_pp8_interleaved.toml", "interleaved-1f1b", "2"}}) {
    CAPTURE(c.file);
    ImportResult r = read_titan_config(dir + c.file, ctx(512, 126));
    CHECK(value_of(r, "parallel.dp_shard") == "8");
    CHECK(value_of(r, "parallel.tp") == "8");
    CHECK(value_of(r, "parallel.pp") == "8");
    CHECK(value_of(r, "parallel.zero_stage") == "3");
    CHECK(value_of(r, "parallel.schedule") == std::string(c.schedule));
    CHECK(value_of(r, "parallel.vp") == std::string(c.vp));
    CHECK(value_of(r, "training.micro_batch") == "1");
    CHECK(value_of(r, "training.global_batch") == "128");
    CHECK(value_of(r, "training.tp_comm_overlap") == "true");
  }
}
