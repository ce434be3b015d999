// Megatron-LM's MoE flags (sim/import/megatron/megatron_moe.cpp) read as-is: the model's expert
// shape (--num-experts, --moe-router-topk, --moe-ffn-hidden-size,
// --moe-shared-expert-intermediate-size, --moe-layer-freq, with Megatron's defaults), the scenario
// keys (--expert-model-parallel-size -> parallel.ep, --expert-tensor-parallel-size ->
// parallel.etp, --moe-grouped-gemm, --moe-token-dispatcher-type), flex refused with its reason,
// the load-balancing flags accepted, and agreement with a model card in the scenario.
#include <doctest/doctest.h>

#include "sim/import/megatron/megatron_args.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/load/zoo.hpp"
#include "tests/test_util.hpp"

using namespace trainsim;
using test::error_of;
using test::has;

namespace {

const SourceLocation kCli{"--megatron-args", 0, "--megatron-args"};

const ImportedSetting* setting(const ImportResult& r, const std::string& key) {
  for (const auto& s : r.settings)
    if (s.key == key) return &s;
  return nullptr;
}

std::string value_of(const ImportResult& r, const std::string& key) {
  const ImportedSetting* s = setting(r, key);
  return s ? s->value : "(unset)";
}

MegatronResult parse(const std::string& args) { return parse_megatron_args(args, kCli, {}); }

// Mixtral 8x7B as Megatron-LM's MoE example launches it (dimensions of models/mixtral-8x7b.yaml).
const std::string kMixtral =
    "--num-layers 32 --hidden-size 4096 --ffn-hidden-size 14336 --num-attention-heads 32 "
    "--group-query-attention --num-query-groups 8 --swiglu --normalization RMSNorm "
    "--position-embedding-type rope --untie-embeddings-and-output-weights --disable-bias-linear "
    "--num-experts 8 --moe-router-topk 2 ";

}  // namespace

TEST_CASE("megatron moe: parallel and dispatcher flags become the scenario's MoE keys") {
  auto r = parse(kMixtral +
                 "--tensor-model-parallel-size 2 --expert-model-parallel-size 8 --expert-tensor-parallel-size 1 "
                 "--moe-grouped-gemm --moe-token-dispatcher-type alltoall "
                 "--moe-router-load-balancing-type aux_loss --moe-aux-loss-coeff 1e-2");
  CHECK(value_of(r, "parallel.ep") == "8");
  CHECK(value_of(r, "parallel.etp") == "1");
  CHECK(value_of(r, "training.moe_grouped_gemm") == "true");
  CHECK(value_of(r, "training.moe_dispatcher") == "alltoall");
  REQUIRE(setting(r, "parallel.ep") != nullptr);
  CHECK(setting(r, "parallel.ep")->where.key == "--expert-model-parallel-size");
  bool balancing = false, coeff = false;
  for (const std::string& i : r.ignored) {
    balancing = balancing || has(i, "--moe-router-load-balancing-type");
    coeff = coeff || has(i, "--moe-aux-loss-coeff");
  }
  CHECK(balancing);
  CHECK(coeff);
}

TEST_CASE("megatron moe: Megatron's defaults are the allgather dispatcher and one GEMM per expert") {
  // arguments.py: --moe-token-dispatcher-type default 'allgather'; --moe-grouped-gemm off.
  auto r = parse(kMixtral);
  REQUIRE(setting(r, "training.moe_dispatcher") != nullptr);
  CHECK(value_of(r, "training.moe_dispatcher") == "allgather");
  CHECK(setting(r, "training.moe_dispatcher")->tool_default);
  CHECK(value_of(r, "training.moe_grouped_gemm") == "false");
  CHECK(value_of(r, "parallel.ep") == "(unset)");   // EP 1 unless given
  CHECK(value_of(r, "parallel.etp") == "(unset)");  // ETP = TP unless given
  // A dense launch line gets no MoE keys.
  auto dense = parse("--num-layers 2 --hidden-size 64 --num-attention-heads 4 --seq-length 128");
  CHECK(setting(dense, "training.moe_dispatcher") == nullptr);
  CHECK(setting(dense, "training.moe_grouped_gemm") == nullptr);
}

TEST_CASE("megatron moe: the model built from the flags has the experts as given") {
  auto r = parse(kMixtral + "--seq-length 4096");
  REQUIRE(r.model);
  const ModelSpec& m = *r.model;
  CHECK(m.moe_experts == 8);
  CHECK(m.moe_topk == 2);
  CHECK(m.moe_ffn == 14336);  // --moe-ffn-hidden-size defaults to --ffn-hidden-size
  CHECK(m.moe_shared_ffn == 0);
  CHECK(m.moe_layers == std::vector<bool>(32, true));  // --moe-layer-freq 1
  // DeepSeek-V3's shape: 3 dense layers first, 1 shared expert of 2048, 256 experts of 2048, top-8.
  auto d = parse(
      "--num-layers 61 --hidden-size 7168 --ffn-hidden-size 18432 --num-attention-heads 128 --swiglu "
      "--position-embedding-type rope --seq-length 4096 --num-experts 256 --moe-router-topk 8 "
      "--moe-ffn-hidden-size 2048 --moe-shared-expert-intermediate-size 2048 --moe-layer-freq ([0]*3+[1]*58)");
  REQUIRE(d.model);
  CHECK(d.model->moe_ffn == 2048);
  CHECK(d.model->moe_shared_ffn == 2048);
  std::vector<bool> layers(61, true);
  layers[0] = layers[1] = layers[2] = false;
  CHECK(d.model->moe_layers == layers);
  // Megatron's default top-k is 2.
  auto k = parse("--num-layers 2 --hidden-size 64 --num-attention-heads 4 --seq-length 128 --num-experts 4");
  REQUIRE(k.model);
  CHECK(k.model->moe_topk == 2);
  // Every other layer: --moe-layer-freq 2 selects layers 0, 2, ...
  auto e = parse(
      "--num-layers 4 --hidden-size 64 --num-attention-heads 4 --seq-length 128 --num-experts 4 "
      "--moe-layer-freq 2");
  REQUIRE(e.model);
  CHECK(e.model->moe_layers == std::vector<bool>{true, false, true, false});
}

TEST_CASE("megatron moe: flex is refused with the reason, other dispatchers and bad values named") {
  const std::string flex = error_of([] { parse(kMixtral + "--moe-token-dispatcher-type flex"); });
  CHECK(has(flex, "--moe-token-dispatcher-type"));
  CHECK(has(flex, "DeepEP"));
  CHECK(has(flex, "use alltoall or allgather"));
  CHECK(has(error_of([] { parse(kMixtral + "--moe-token-dispatcher-type alltoall_seq"); }),
            "expected alltoall or allgather"));
  CHECK(has(error_of([] { parse(kMixtral + "--expert-model-parallel-size 0"); }), "--expert-model-parallel-size"));
  CHECK(has(error_of([] { parse(kMixtral + "--moe-router-load-balancing-type balanced"); }), "aux_loss"));
  CHECK(has(error_of([] { parse(kMixtral + "--moe-aux-loss-coeff lots"); }), "not a number"));
  CHECK(has(error_of([] {
              parse(
                  "--num-layers 2 --hidden-size 64 --num-attention-heads 4 --seq-length 128 --num-experts 4 "
                  "--moe-router-topk 5");
            }),
            "at most --num-experts"));
  CHECK(has(error_of([] {
              parse("--num-layers 2 --hidden-size 64 --num-attention-heads 4 --seq-length 128 --moe-router-topk 2");
            }),
            "needs --num-experts"));
  CHECK(has(error_of([] { parse(kMixtral + "--moe-layer-freq ([1]*3)"); }), "--moe-layer-freq"));
}

TEST_CASE("megatron moe: with a model card in the scenario the MoE flags must agree with it") {
  const ModelSpec mixtral = load_model(test::zoo().resolve(ZooKind::model, "mixtral-8x7b", "", {}).string());
  MegatronContext ctx;
  ctx.base = &mixtral;
  ctx.base_where = {"scenario.yaml", 3, "model"};
  CHECK_NOTHROW(
      parse_megatron_args("--num-experts 8 --moe-router-topk 2 --moe-ffn-hidden-size 14336 "
                          "--expert-model-parallel-size 8 --moe-layer-freq 1",
                          kCli, ctx));
  const std::string e = error_of([&] { parse_megatron_args("--moe-router-topk 4", kCli, ctx); });
  CHECK(has(e, "scenario.yaml:3"));
  CHECK(has(e, "--moe-router-topk says 4"));
  CHECK(has(error_of([&] { parse_megatron_args("--num-experts 16", kCli, ctx); }), "has 8 but"));
  CHECK(has(error_of([&] { parse_megatron_args("--moe-layer-freq 2", kCli, ctx); }), "MoE layers"));
}
