// Layout validation: each impossible layout is refused with the key to change
// and what would be valid; valid layouts pass.
#include <doctest/doctest.h>

#include "sim/load/scenario_loader.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

// A 64-GPU GPT-3 175B scenario (96 heads, 96 layers, FFN 49152) with overrides.
std::string problem(std::vector<std::string> sets, const std::string& model = "gpt3-175b") {
  std::string yaml = "model: " + model +
                     "\ncluster: dgx-a100-80gb\nnodes: 8\nparallel:\n  tp: 8\n  pp: 8\ntraining:\n"
                     "  global_batch: 64\n";
  try {
    load_scenario_string(yaml, "layout.yaml", sets, test::zoo());
  } catch (const ConfigError& e) {
    return std::string(e.what());
  }
  return "";
}

using test::has;

}  // namespace

TEST_CASE("a valid layout passes") { CHECK(problem({}).empty()); }

TEST_CASE("TP must divide heads, KV heads and FFN") {
  CHECK(has(problem({"parallel.tp=5", "parallel.pp=1", "gpus=5", "training.global_batch=5"}),
            "parallel.tp: tp=5 does not divide the 96 attention heads"));
  // Llama-2-70B: 64 heads but 8 KV heads: tp=16 divides heads, not KV heads.
  CHECK(has(problem({"parallel.tp=16", "parallel.pp=4"}, "llama-2-70b"), "does not divide the 8 KV heads"));
}

TEST_CASE("PP at most the layers; interleaving needs divisible layers") {
  CHECK(has(problem({"parallel.pp=128", "parallel.tp=1", "nodes=16"}), "parallel.pp: pp=128 exceeds the 96 layers"));
  CHECK(has(problem({"parallel.vp=5"}), "parallel.vp: interleaving needs layers divisible by pp x vp"));
  CHECK(has(problem({"parallel.schedule=interleaved-1f1b"}), "parallel.schedule: interleaved-1f1b needs parallel.vp"));
  CHECK(has(problem({"parallel.vp=2", "parallel.schedule=gpipe"}), "needs schedule interleaved-1f1b"));
  // dp = 1: 64 micro-batches per step are a multiple of pp = 8; 60 are not (the schedule would deadlock).
  CHECK(problem({"parallel.vp=2"}).empty());
  CHECK(has(problem({"parallel.vp=2", "training.global_batch=60"}),
            "parallel.vp: the interleaved schedule needs the micro-batches per step (60"));
  CHECK(problem({"training.global_batch=60"}).empty());  // plain 1F1B has no such rule
}

TEST_CASE("interleaving with the embedding and loss in the pipeline split counts them as layer slots") {
  // GPT-3 175B: 96 layers; pp 7 does not divide 96 or 98; pp 2: 98 / 2 = 49 = 7 x 7.
  CHECK(has(problem({"parallel.pp=2", "parallel.vp=7", "parallel.dp=4", "training.global_batch=64"}),
            "parallel.vp: interleaving needs layers divisible by pp x vp"));
  CHECK(has(problem({"parallel.pp=2", "parallel.vp=7", "parallel.dp=4", "training.global_batch=64"}),
            "or keep vp=7 and set parallel.embedding_in_pp_split: true"));
  CHECK(problem({"parallel.pp=2", "parallel.vp=7", "parallel.dp=4", "training.global_batch=64",
                 "parallel.embedding_in_pp_split=true"})
            .empty());
  CHECK(has(problem({"parallel.vp=2", "parallel.embedding_in_pp_split=true"}),
            "interleaving needs layers + 2 (embedding and loss slots) divisible by pp x vp"));
}

TEST_CASE("DP x TP x PP x CP must equal the GPU count") {
  CHECK(has(problem({"parallel.dp=2"}),
            "parallel.dp: dp x tp x pp x cp = 2 x 8 x 8 x 1 = 128 but the scenario has 64 GPUs"));
  CHECK(has(problem({"parallel.tp=8", "parallel.pp=3"}), "parallel.tp: tp x pp x cp = 24 does not divide the 64 GPUs"));
  CHECK(has(problem({"gpus=80"}), "gpus: 80 GPUs do not fit on 8 nodes"));
}

TEST_CASE("global batch must be a multiple of micro-batch x DP") {
  CHECK(has(problem({"training.global_batch=7", "parallel.pp=4"}),
            "training.global_batch: global_batch=7 is not a multiple of micro_batch x dp = 1 x 2 = 2"));
  CHECK(has(problem({"training.micro_batch=3"}), "is not a multiple of micro_batch x dp = 3 x 1"));
}

TEST_CASE("ZeRO stage, offload and precision rules") {
  CHECK(has(problem({"parallel.zero_stage=4"}),
            "parallel.zero_stage: value out of range; expected an integer in [0, 3]"));
  // DeepSpeed's pipeline engine refuses ZeRO-2/3 with PP; FSDP and Megatron run them.
  CHECK(has(problem({"parallel.zero_stage=3", "framework.name=deepspeed"}),
            "cannot be combined with pipeline parallelism"));
  CHECK(has(problem({"parallel.zero_stage=2", "framework.name=megatron-deepspeed"}),
            "cannot be combined with pipeline parallelism"));
  CHECK(problem({"parallel.zero_stage=3", "framework.name=torchtitan"}).empty());
  CHECK(has(problem({"offload.params=cpu", "parallel.zero_stage=1"}),
            "offload.params: parameter offload needs ZeRO stage 3"));
  CHECK(
      has(problem({"offload.optimizer=gpu"}), "offload.optimizer: 'gpu' is not valid; expected one of none|cpu|nvme"));
  CHECK(has(problem({"offload.optimizer=cpu"}), "optimizer offload needs ZeRO stage 1, 2 or 3"));
  CHECK(has(problem({"training.precision=fp8"}), "training.precision: a100-sxm4-80gb has no FP8 tensor cores"));
}

TEST_CASE("sequence rules: context parallel chunks and learned positions") {
  CHECK(has(problem({"parallel.cp=3", "parallel.pp=1", "gpus=24", "training.global_batch=8"}), "parallel.cp"));
  CHECK(has(problem({"training.seq_len=4096"}), "training.seq_len: seq_len=4096 exceeds the 2048 learned positions"));
}

TEST_CASE("--set locations are reported as --set") { CHECK(has(problem({"parallel.tp=7"}), "--set: parallel.tp:")); }

TEST_CASE("check_layout lists every problem, not just the first") {
  Scenario s = load_scenario_string(
      "model: gpt3-175b\ncluster: dgx-a100-80gb\nnodes: 8\nparallel:\n  tp: 8\n  pp: 8\ntraining:\n  global_batch: "
      "64\n",
      "ok.yaml", {}, test::zoo());
  s.parallel.tp = 7;
  s.parallel.pp = 200;
  std::vector<LayoutProblem> problems = check_layout(s);
  CHECK(problems.size() >= 3);  // heads, FFN, layers, product
}

TEST_CASE("overlap_param_gather_with_optimizer_step: Megatron's three requirements") {
  // megatron/training/arguments.py validate_args: distributed optimizer, --overlap-param-gather,
  // interleaved pipeline parallelism.
  const std::string key = "training.overlap_param_gather_with_optimizer_step=true";
  const std::vector<std::string> ok = {key, "parallel.zero_stage=1", "training.overlap_param_gather=true",
                                       "parallel.vp=2"};
  CHECK(problem(ok).empty());
  CHECK(has(problem({key, "training.overlap_param_gather=true", "parallel.vp=2"}), "distributed optimizer"));
  CHECK(has(problem({key, "parallel.zero_stage=1", "parallel.vp=2"}), "training.overlap_param_gather: true"));
  const std::string no_vp = problem({key, "parallel.zero_stage=1", "training.overlap_param_gather=true"});
  CHECK(has(no_vp, "interleaved pipeline parallelism"));
  CHECK(has(no_vp, "training.overlap_param_gather_with_optimizer_step"));
}
