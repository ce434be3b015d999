// Megatron-LM flags (sim/import/megatron/megatron_args.hpp) and the DeepSpeed hostfile
// (sim/import/deepspeed/hostfile.hpp): Megatron's spellings, defaults and rules, the model
// built from flags (equal to the zoo card of SC21's 145.6B model), unknown flags
// with suggestions, and hostfile lines.
#include <doctest/doctest.h>

#include <functional>

#include "sim/import/deepspeed/hostfile.hpp"
#include "sim/import/megatron/megatron_args.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/model/params.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::error_of;
using test::has;

const SourceLocation kCli{"--megatron-args", 0, "--megatron-args"};

std::string value_of(const ImportResult& r, const std::string& key) {
  for (const auto& s : r.settings)
    if (s.key == key) return s.value;
  return "(unset)";
}

MegatronResult parse(const std::string& args) { return parse_megatron_args(args, kCli, {}); }

}  // namespace

TEST_CASE("parallel and training flags map onto scenario keys") {
  auto r = parse(
      "--tensor-model-parallel-size 4 --pipeline-model-parallel-size=2 --context-parallel-size 2 "
      "--sequence-parallel --use-distributed-optimizer --micro-batch-size 2 --global-batch-size 512 "
      "--seq-length 4096 --bf16 --recompute-granularity selective --overlap-grad-reduce "
      "--overlap-param-gather --overlap-p2p-communication --lr 3e-4 --train-iters 1000");
  CHECK(value_of(r, "parallel.tp") == "4");
  CHECK(value_of(r, "parallel.pp") == "2");
  CHECK(value_of(r, "parallel.cp") == "2");
  CHECK(value_of(r, "parallel.sequence_parallel") == "true");
  CHECK(value_of(r, "parallel.zero_stage") == "1");
  CHECK(value_of(r, "training.micro_batch") == "2");
  CHECK(value_of(r, "training.global_batch") == "512");
  CHECK(value_of(r, "training.precision") == "bf16");
  CHECK(value_of(r, "training.recompute") == "selective");
  CHECK(value_of(r, "training.overlap_grad_reduce") == "true");
  CHECK(value_of(r, "training.overlap_param_gather") == "true");
  CHECK(value_of(r, "training.overlap_p2p_comm") == "true");
  CHECK(r.ignored.size() == 2);
  CHECK(has(r.ignored[0], "--lr (no effect on step time or memory)"));
  CHECK_FALSE(r.model);
}

TEST_CASE("Megatron's derived values and rules") {
  auto r = parse(
      "--num-layers 32 --hidden-size 4096 --num-attention-heads 32 --seq-length 2048 "
      "--pipeline-model-parallel-size 4 --num-layers-per-virtual-pipeline-stage 2 --sequence-parallel");
  CHECK(value_of(r, "parallel.vp") == "4");                     // 32 / 4 / 2
  CHECK(value_of(r, "parallel.sequence_parallel") == "false");  // TP = 1
  CHECK(r.warnings.size() == 1);
  CHECK(value_of(r, "training.precision") == "fp32");  // a Megatron default: yields to the scenario
  CHECK(has(error_of([] {
              parse(
                  "--num-layers 30 --hidden-size 64 --num-attention-heads 4 --seq-length 8 "
                  "--pipeline-model-parallel-size 4 --num-layers-per-virtual-pipeline-stage 2");
            }),
            "must be divisible by the pipeline-parallel size"));
  CHECK(has(error_of([] { parse("--recompute-granularity full"); }), "needs --recompute-method uniform or block"));
  CHECK(has(error_of([] { parse("--fp16 --bf16"); }), "--bf16: cannot be combined with --fp16"));
  CHECK(has(error_of([] { parse("--micro-batch-size"); }), "--micro-batch-size: expects a value"));
  CHECK(has(error_of([] { parse("--micro-batch-size two"); }), "'two' is not an integer"));
}

TEST_CASE("embedding and loss in the pipeline split: Llama 3 405B's 126 layers on 16 stages, interleaved") {
  const std::string l405 =
      "--num-layers 126 --hidden-size 1024 --num-attention-heads 8 --seq-length 128 "
      "--pipeline-model-parallel-size 16 ";
  const std::string both = "--account-for-embedding-in-pipeline-split --account-for-loss-in-pipeline-split ";
  auto r = parse(l405 + both + "--num-virtual-stages-per-pipeline-rank 8");
  CHECK(value_of(r, "parallel.embedding_in_pp_split") == "true");
  CHECK(value_of(r, "parallel.vp") == "8");
  CHECK(r.warnings.empty());
  // One slot alone (Megatron: layers + 1) is not what parallel.embedding_in_pp_split models.
  CHECK(has(error_of([&] { parse(l405 + "--account-for-loss-in-pipeline-split"); }),
            "--account-for-loss-in-pipeline-split: trainsim counts the embedding and the loss slot together"));
  // Megatron asserts (layers + slots) % pp == 0: 96 + 2 over 4 stages is not.
  const std::string gpt96 = "--num-layers 96 --hidden-size 64 --num-attention-heads 4 --seq-length 8 ";
  CHECK(has(error_of([&] { parse(gpt96 + "--pipeline-model-parallel-size 4 " + both); }),
            "(98) must be divisible by the pipeline-parallel size (4)"));
  // Which layer count --num-layers-per-virtual-pipeline-stage divides differs by Megatron version.
  CHECK(has(error_of([&] { parse(l405 + both + "--num-layers-per-virtual-pipeline-stage 1"); }),
            "give the model chunks per stage with --num-virtual-stages-per-pipeline-rank"));
  CHECK(has(error_of([&] { parse(l405 + "--num-layers-per-virtual-pipeline-stage 1"); }),
            "must be divisible by the pipeline-parallel size"));
  CHECK(has(error_of([&] {
              parse(gpt96 +
                    "--pipeline-model-parallel-size 4 --num-layers-per-virtual-pipeline-stage 2 "
                    "--num-virtual-stages-per-pipeline-rank 4");
            }),
            "cannot be combined with --num-layers-per-virtual-pipeline-stage"));
  CHECK(value_of(parse("--num-virtual-stages-per-pipeline-rank 4"), "parallel.vp") == "4");
}

TEST_CASE("unknown flags are errors with the nearest Megatron flag") {
  std::string msg = error_of([] { parse("--tensor-model-paralel-size 8"); });
  CHECK(has(msg, "--megatron-args: --tensor-model-paralel-size: unknown Megatron-LM flag"));
  CHECK(has(msg, "did you mean '--tensor-model-parallel-size'?"));
}

TEST_CASE("model from flags: Megatron's defaults for FFN, vocabulary padding and positions") {
  auto r = parse(
      "--num-layers 32 --hidden-size 4096 --num-attention-heads 32 --group-query-attention "
      "--num-query-groups 8 --swiglu --normalization RMSNorm --position-embedding-type rope "
      "--untie-embeddings-and-output-weights --disable-bias-linear --seq-length 4096 --vocab-size 32000 "
      "--tensor-model-parallel-size 2");
  REQUIRE(r.model);
  CHECK(r.model->ffn == 10880);  // int(4 x 4096 x 2/3 / 64) x 64
  CHECK(r.model->kv_heads == 8);
  CHECK(r.model->vocab == 32000);  // already a multiple of 128 x 2
  CHECK(r.model->mlp == MlpKind::swiglu);
  CHECK(r.model->norm == NormKind::rmsnorm);
  CHECK_FALSE(r.model->tied_embeddings);
  CHECK_FALSE(r.model->bias);
  auto g =
      parse("--num-layers 2 --hidden-size 64 --num-attention-heads 4 --seq-length 128 --tensor-model-parallel-size 4");
  CHECK(g.model->vocab == 50688);  // 50257 rounded up to a multiple of 128 x 4
  CHECK(g.model->ffn == 256);
  CHECK(g.model->max_position == 128);
}

TEST_CASE("the SC21 145.6B launch line builds the zoo card megatron-gpt-145.6b") {
  auto r = parse(
      "--tensor-model-parallel-size 8 --pipeline-model-parallel-size 8 --num-layers 80 --hidden-size 12288 "
      "--num-attention-heads 96 --seq-length 2048 --max-position-embeddings 2048 --fp16");
  REQUIRE(r.model);
  ModelSpec card = load_model(std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/models/megatron-gpt-145.6b.yaml");
  const ModelSpec& m = *r.model;
  CHECK(m.layers == card.layers);
  CHECK(m.hidden == card.hidden);
  CHECK(m.heads == card.heads);
  CHECK(m.kv_heads == card.kv_heads);
  CHECK(m.head_dim == card.head_dim);
  CHECK(m.ffn == card.ffn);
  CHECK(m.vocab == card.vocab);
  CHECK(m.max_position == card.max_position);
  CHECK(m.mlp == card.mlp);
  CHECK(m.position == card.position);
  CHECK(m.norm == card.norm);
  CHECK(m.tied_embeddings == card.tied_embeddings);
  CHECK(m.bias == card.bias);
  CHECK(m.dropout == card.dropout);
  CHECK(count_params(m).total == count_params(card).total);
}

TEST_CASE("flags on top of a scenario's model card must agree with it") {
  Zoo zoo(TRAINSIM_DEFAULT_DATA_DIR);
  std::string yaml =
      "model: megatron-gpt-145.6b\ncluster: dgx-a100-80gb\ngpus: 1536\ntraining:\n  global_batch: 2304\n"
      "megatron_args: --num-layers 80 --hidden-size 12288 --tensor-model-parallel-size 8 "
      "--pipeline-model-parallel-size 8\n";
  Scenario s = load_scenario_string(yaml, "s.yaml", {}, zoo);
  CHECK(s.model.name == "megatron-gpt-145.6b");
  CHECK(s.parallel.dp == 24);
  CHECK(s.locations.at("parallel.tp").file == "s.yaml");
  CHECK(s.locations.at("parallel.tp").key == "--tensor-model-parallel-size");
  std::string msg = error_of([&] { load_scenario_string(yaml, "s.yaml", {}, zoo, {"", "--num-layers 96", "", 0, 0}); });
  CHECK(has(
      msg,
      "s.yaml:1: model: the scenario's model megatron-gpt-145.6b has 80 but --megatron-args: --num-layers says 96"));
  CHECK(has(error_of([&] {
              load_scenario_string("cluster: dgx-a100-80gb\ntraining:\n  global_batch: 8\n", "s.yaml", {}, zoo);
            }),
            "model: missing required key"));
}

TEST_CASE("DeepSpeed hostfile and launcher sizes") {
  auto r = parse_hostfile("# cluster\nworker-0 slots=8\n\nworker-1 slots=8  # comment\n", "hosts");
  CHECK(value_of(r, "nodes") == "2");
  CHECK(value_of(r, "gpus") == "16");
  CHECK(has(error_of([] { parse_hostfile("worker-0 slots=8\nworker-1 8\n", "hosts"); }),
            "hosts:2: hostfile: expected 'HOSTNAME slots=N'"));
  CHECK(has(error_of([] { parse_hostfile("worker-0 slots=8\nworker-0 slots=8\n", "hosts"); }), "already defined"));
  CHECK(has(error_of([] { parse_hostfile("worker-0 slots=0\n", "hosts"); }), "N >= 1"));
  auto l = launcher_size(4, 8);
  CHECK(value_of(l, "nodes") == "4");
  CHECK(value_of(l, "gpus") == "32");
}

TEST_CASE("fuzz findings (fuzz_megatron_args): integer flags stop at trainsim's limits, hostfile slots") {
  const std::string model = "--num-layers 2 --hidden-size 64 --num-attention-heads 4 --seq-length 8 ";
  // 4 x hidden overflowed int; heads and TP narrowed to 0 divided by zero.
  CHECK(has(error_of([] { parse("--num-layers 2 --hidden-size 1073741824 --num-attention-heads 4 --seq-length 8"); }),
            "--hidden-size: '1073741824' is above trainsim's limit 1048576"));
  CHECK(has(error_of([] { parse("--num-layers 2 --hidden-size 64 --num-attention-heads 4294967296 --seq-length 8"); }),
            "--num-attention-heads: '4294967296' is above trainsim's limit 65536"));
  CHECK(has(error_of([&] { parse(model + "--tensor-model-parallel-size 4294967296"); }),
            "--tensor-model-parallel-size: '4294967296' is above trainsim's limit 262144"));
  std::string msg =
      error_of([&] { parse(model + "--tensor-model-parallel-size 2 --make-vocab-size-divisible-by 16000000"); });
  CHECK(has(msg, "--make-vocab-size-divisible-by: pads the vocabulary 50257 to 32000000"));
  CHECK(has(msg, "above trainsim's limit 16777216"));
  // 20 digits made std::stoll throw std::out_of_range.
  CHECK(has(error_of([] { parse_hostfile("a slots=1\nb slots=99999999999999999999\n", "hosts"); }),
            "hosts:2: hostfile: slots=99999999999999999999: expected at most 999999 slots per host"));
}

TEST_CASE("tool defaults wait for every importer: Megatron's fp32 default yields to a ds_config's bf16") {
  Zoo zoo(TRAINSIM_DEFAULT_DATA_DIR);
  std::string dir = std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/tests/data/ds/";
  ImportOptions o;
  o.ds_config = dir + "stage2.json";
  o.megatron_args = "--micro-batch-size 4";
  Scenario s = load_scenario(dir + "base.yaml", {}, zoo, o);
  CHECK(s.training.precision == Precision::bf16);
  CHECK(s.training.micro_batch == 4);
  bool warned = false;
  for (const auto& w : s.imports.warnings) warned = warned || has(w, "Megatron-LM trains in fp32");
  CHECK(warned);
}

TEST_CASE("without --global-batch-size Megatron trains micro-batch x DP sequences per step") {
  Zoo zoo(TRAINSIM_DEFAULT_DATA_DIR);
  Scenario s = load_scenario_string("model: llama-2-7b\ncluster: dgx-a100-80gb\nnodes: 2\n", "s.yaml", {}, zoo,
                                    {"", "--tensor-model-parallel-size 2 --micro-batch-size 3 --bf16", "", 0, 0});
  CHECK(s.parallel.dp == 8);
  CHECK(s.training.global_batch == 24);
  CHECK(s.num_micro_batches() == 1);
}

TEST_CASE("partial recomputation flags: --recompute-num-layers with its method") {
  auto r = parse("--recompute-granularity full --recompute-method block --recompute-num-layers 2");
  CHECK(value_of(r, "training.recompute") == "full");
  CHECK(value_of(r, "training.recompute_num_layers") == "2");
  CHECK(value_of(r, "training.recompute_method") == "block");
  CHECK(r.warnings.empty());
  // uniform without a count: every layer checkpointed on its own (no partial keys).
  auto u = parse("--recompute-granularity full --recompute-method uniform");
  CHECK(value_of(u, "training.recompute_num_layers") == "(unset)");
  CHECK(has(error_of([] { parse("--recompute-granularity selective --recompute-num-layers 2"); }),
            "--recompute-num-layers"));
  CHECK(has(error_of([] { parse("--recompute-granularity full --recompute-method block"); }),
            "needs --recompute-num-layers"));
}

TEST_CASE("dropout flags: both 0 turn dropout off, Megatron's 0.1 default for the one not given") {
  auto off = parse("--hidden-dropout 0 --attention-dropout 0.0");
  CHECK(std::stod(value_of(off, "training.dropout")) == 0);
  auto one = parse("--hidden-dropout 0");
  CHECK(std::stod(value_of(one, "training.dropout")) == doctest::Approx(0.1));
  CHECK_FALSE(one.warnings.empty());
  CHECK(value_of(parse("--bf16"), "training.dropout") == "(unset)");
}

TEST_CASE("FP8 and CUDA graph flags") {
  auto r = parse("--bf16 --fp8-format hybrid --fp8-recipe tensorwise --enable-cuda-graph");
  CHECK(value_of(r, "training.precision") == "fp8");
  CHECK(value_of(r, "training.fp8_recipe") == "tensorwise");
  CHECK(value_of(r, "training.cuda_graphs") == "true");
  // --fp8-recipe without --fp8-format: Megatron trains without FP8.
  auto no_fp8 = parse("--bf16 --fp8-recipe blockwise");
  CHECK(value_of(no_fp8, "training.fp8_recipe") == "(unset)");
  CHECK(value_of(no_fp8, "training.precision") == "bf16");
  CHECK(value_of(parse("--cuda-graph-impl none"), "training.cuda_graphs") == "false");
  CHECK(value_of(parse("--external-cuda-graph"), "training.cuda_graphs") == "true");
  CHECK(has(error_of([] { parse("--fp8-format e5m2"); }), "expected e4m3 or hybrid"));
  CHECK(has(error_of([] { parse("--fp8-format e4m3 --fp8-recipe rowwise"); }), "--fp8-recipe"));
}

TEST_CASE("--cuda-graph-scope and --overlap-param-gather-with-optimizer-step map onto keys") {
  // megatron/training/arguments.py: --cuda-graph-scope takes a list (nargs '+').
  CHECK(value_of(parse("--cuda-graph-impl local --cuda-graph-scope attn"), "training.cuda_graph_scope") == "attn");
  CHECK(value_of(parse("--cuda-graph-impl transformer_engine --cuda-graph-scope attn mlp --bf16"),
                 "training.cuda_graph_scope") == "full");
  CHECK(value_of(parse("--cuda-graph-impl local --cuda-graph-scope moe"), "training.cuda_graph_scope") == "mlp");
  CHECK(value_of(parse("--cuda-graph-impl local --cuda-graph-scope full_iteration"), "training.cuda_graph_scope") ==
        "full_iteration");
  // The list ends at the next flag, which is still read.
  const MegatronResult r = parse("--cuda-graph-impl local --cuda-graph-scope attn --bf16");
  CHECK(value_of(r, "training.precision") == "bf16");
  // Without a graph implementation the scope does nothing (Megatron: CUDA graphs off).
  const MegatronResult off = parse("--cuda-graph-scope attn");
  CHECK(value_of(off, "training.cuda_graph_scope") == "(unset)");
  CHECK(has(off.ignored.back(), "--cuda-graph-scope (no effect without --cuda-graph-impl)"));
  CHECK(has(error_of([] { parse("--cuda-graph-impl local --cuda-graph-scope moe_router"); }), "moe_router"));
  CHECK(value_of(parse("--overlap-param-gather-with-optimizer-step"),
                 "training.overlap_param_gather_with_optimizer_step") == "true");
}
