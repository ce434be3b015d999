// The expert-layout rules (sim/config/moe_layout_check.cpp) and the MoE
// scenario keys: each bad layout refused with the key and the framework's
// reason, valid ones pass, dense models refuse ep > 1.
#include <doctest/doctest.h>

#include "sim/load/model_loader.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;
using test::has;

namespace {

// A dense 64-GPU DGX-H100 scenario with `sets`, then `model` (a zoo MoE card)
// put in its place and the layout problems listed (the loader refuses MoE
// models for simulation, so the card is swapped in here).
std::string moe_problem(const std::string& model, int tp, int pp, int ep, int etp = 0, int cp = 1, bool sp = true,
                        int moe_ffn = 0) {
  Scenario s = test::scenario(
      "model: llama-2-7b\ncluster: dgx-h100-80gb\nnodes: 8\ntraining: {global_batch: 256, "
      "seq_len: 4096}\n");
  s.model = load_model((test::zoo().root() / "models" / (model + ".yaml")).string());
  if (moe_ffn > 0) s.model.moe_ffn = moe_ffn;
  s.parallel.tp = tp;
  s.parallel.pp = pp;
  s.parallel.cp = cp;
  s.parallel.dp = s.gpus / (tp * pp * cp);
  s.parallel.ep = ep;
  s.parallel.etp = etp;
  s.parallel.sequence_parallel = sp && tp > 1;
  std::string out;
  for (const LayoutProblem& p : check_layout(s)) out += p.key + ": " + p.message + "\n";
  return out;
}

std::string dense_error(const std::vector<std::string>& sets) {
  return test::error_of([&] {
    test::scenario("model: llama-2-7b\ncluster: dgx-h100-80gb\nnodes: 1\ntraining: {global_batch: 8}\n", sets);
  });
}

}  // namespace

TEST_CASE("valid expert layouts pass") {
  CHECK(moe_problem("mixtral-8x7b", 1, 1, 8) == "");        // EP 8 inside a node, expert-DP 8
  CHECK(moe_problem("mixtral-8x7b", 2, 4, 4, 1) == "");     // TP 2, ETP 1, EP 4 across TP pairs
  CHECK(moe_problem("mixtral-8x7b", 4, 2, 2, 4, 2) == "");  // CP 2 inside EP x ETP
  CHECK(moe_problem("deepseek-v3", 1, 1, 64) == "");        // EP 64 across 8 nodes, expert-DP 1
  CHECK(moe_problem("qwen3-30b-a3b", 2, 1, 16, 2) == "");   // 128 experts over ETP 2 x EP 16
}

TEST_CASE("ep must divide the routed experts") {
  const std::string p = moe_problem("mixtral-8x7b", 1, 1, 16);
  CHECK(has(p, "parallel.ep: ep=16 does not divide the 8 routed experts of mixtral-8x7b"));
  CHECK(has(p, "Number of experts should be a multiple of expert model parallel size"));
  CHECK(has(p, "valid ep: 1, 2, 4, 8"));
}

TEST_CASE("etp x ep must divide tp x cp x dp") {
  // 64 GPUs, tp 1, pp 8: dp 8; etp 2 x ep 8 = 16 does not divide 8.
  const std::string p = moe_problem("mixtral-8x7b", 1, 8, 8, 2);
  CHECK(has(p, "parallel.ep: etp x ep = 2 x 8 = 16 does not divide tp x cp x dp = 1 x 1 x 8 = 8"));
  CHECK(has(p, "expert_tensor_model_pipeline_parallel"));
}

TEST_CASE("etp must divide the expert FFN; tp the shared expert") {
  // qwen3-30b-a3b with its expert FFN made 770 (= 2 x 5 x 7 x 11): etp 4 does not divide it, etp 2 does.
  CHECK(has(moe_problem("qwen3-30b-a3b", 1, 1, 1, 4, 1, true, 770),
            "parallel.etp: etp=4 does not divide the expert FFN size 770"));
  CHECK(moe_problem("qwen3-30b-a3b", 1, 1, 1, 2, 1, true, 770) == "");
}

TEST_CASE("TP with EP needs sequence parallelism, as Megatron-core requires") {
  const std::string p = moe_problem("mixtral-8x7b", 2, 1, 4, 1, 1, false);
  CHECK(has(p, "parallel.sequence_parallel: ep=4 with tp=2 needs sequence parallelism"));
  CHECK(moe_problem("mixtral-8x7b", 2, 1, 4, 1, 1, true) == "");
}

TEST_CASE("a parallel.order without pp last needs equal dense and expert data-parallel sizes") {
  Scenario s = test::scenario("model: llama-2-7b\ncluster: dgx-h100-80gb\nnodes: 2\ntraining: {global_batch: 64}\n",
                              {"parallel.pp=2", "parallel.order=tp-pp-dp-cp"});
  s.model = load_model((test::zoo().root() / "models" / "mixtral-8x7b.yaml").string());
  s.parallel.ep = 8;  // dp 8, expert-dp 1
  std::vector<LayoutProblem> p = check_layout(s);
  REQUIRE(!p.empty());
  CHECK(p.front().key == "parallel.order");
  CHECK(has(p.front().message, "dp = 8 and expert-dp = tp x cp x dp / (etp x ep) = 1"));
  s.parallel.ep = 1;  // expert-dp = dp: Megatron accepts it
  CHECK(check_layout(s).empty());
}

TEST_CASE("dense models refuse ep > 1 and etp") {
  const std::string e = dense_error({"parallel.ep=2"});
  CHECK(has(e, "parallel.ep"));
  CHECK(has(e, "llama-2-7b is dense"));
  CHECK(has(dense_error({"parallel.etp=2"}), "parallel.etp=2 splits the experts' weights, but llama-2-7b is dense"));
  CHECK(dense_error({"parallel.ep=1", "parallel.etp=1"}) == "(no error)");  // etp = tp = 1: nothing split
  CHECK(has(dense_error({"training.moe_token_histogram=[0.5,0.5]"}), "training.moe_token_histogram"));
}

TEST_CASE("the MoE training keys are read and checked") {
  const std::string yaml = "model: llama-2-7b\ncluster: dgx-h100-80gb\nnodes: 1\ntraining:\n  global_batch: 8\n";
  Scenario s = test::scenario(yaml);
  CHECK(s.parallel.ep == 1);
  CHECK(s.parallel.etp == 0);
  CHECK(s.parallel.expert_tp() == 1);
  CHECK(s.training.moe.dispatcher == MoeDispatcher::alltoall);
  CHECK(s.training.moe.grouped_gemm);
  CHECK(!s.training.moe.a2a_overlap);
  CHECK(s.training.moe.busiest_over_mean() == 1.0);
  s = test::scenario(yaml, {"training.moe_dispatcher=allgather", "training.moe_grouped_gemm=false",
                            "training.moe_a2a_overlap=true", "training.moe_load_skew=1.5"});
  CHECK(s.training.moe.dispatcher == MoeDispatcher::allgather);
  CHECK(!s.training.moe.grouped_gemm);
  CHECK(s.training.moe.a2a_overlap);
  CHECK(s.training.moe.busiest_over_mean() == 1.5);
  CHECK(has(test::error_of([&] { test::scenario(yaml, {"training.moe_load_skew=0.5"}); }), "training.moe_load_skew"));
  CHECK(has(test::error_of([&] { test::scenario(yaml, {"training.moe_dispatcher=deepep"}); }), "alltoall|allgather"));
  CHECK(has(test::error_of([&] { test::scenario(yaml, {"training.moe_token_histogram=[0.5, x]"}); }),
            "'x' (item 2) is not a number"));
  CHECK(has(test::error_of([&] { test::scenario(yaml, {"training.moe_token_histogram=[0.5, -1]"}); }), "negative"));
  CHECK(has(test::error_of([&] { test::scenario(yaml, {"training.moe_token_histogram=0,0"}); }), "sum to 0"));
  // A YAML list is read as the same text; a nested list is refused with the line.
  const std::string listed = test::error_of([&] {
    test::scenario(
        "model: llama-2-7b\ncluster: dgx-h100-80gb\nnodes: 1\ntraining:\n  global_batch: 8\n"
        "  moe_token_histogram: [1, [2]]\n");
  });
  CHECK(has(listed, "test.yaml:6"));
  CHECK(has(listed, "item 2 is not a number"));
}

TEST_CASE("a histogram is normalised and gives the busiest expert's share") {
  // A dense scenario's reader, with mixtral-8x7b (8 experts) put in before the layout check.
  const ModelSpec mixtral = load_model((test::zoo().root() / "models" / "mixtral-8x7b.yaml").string());
  auto with_mixtral = [&](Scenario& sc) { sc.model = mixtral; };
  const std::string yaml = "model: llama-2-7b\ncluster: dgx-h100-80gb\nnodes: 1\ntraining:\n  global_batch: 8\n";
  Scenario s = load_scenario_string(yaml + "  moe_token_histogram: [300, 100, 100, 100, 100, 100, 100, 100]\n",
                                    "test.yaml", {"training.moe_load_skew=4"}, test::zoo(), {}, with_mixtral);
  REQUIRE(s.training.moe.token_histogram.size() == 8);
  CHECK(s.training.moe.token_histogram[0] == doctest::Approx(0.3));
  CHECK(s.training.moe.token_histogram[7] == doctest::Approx(0.1));
  CHECK(s.training.moe.busiest_over_mean() == doctest::Approx(2.4));  // 0.3 x 8 experts: overrides the skew
  const std::string wrong = test::error_of([&] {
    load_scenario_string(yaml, "test.yaml", {"training.moe_token_histogram=[1,1,1]"}, test::zoo(), {}, with_mixtral);
  });
  CHECK(has(wrong, "the histogram has 3 shares but mixtral-8x7b has 8 routed experts"));
}
