// trainsim advise (sim/sweep/advise.hpp): a 13B plan that runs out of memory on
// 8 x A100 40GB gets fitting plans of at most two changed keys, each of which
// fits when simulated on its own; a plan that fits gets faster fitting plans.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/load/scenario_loader.hpp"
#include "sim/load/zoo.hpp"
#include "sim/sweep/advise.hpp"
#include "sim/workload/step_sim.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::zoo;

ScenarioFactory file_factory(const std::string& path, std::vector<std::string> sets = {}) {
  return [path, sets](const std::vector<std::string>& overrides) {
    std::vector<std::string> all = sets;
    all.insert(all.end(), overrides.begin(), overrides.end());
    return load_scenario(path, all, zoo());
  };
}

std::vector<std::string> overrides(const Suggestion& s) {
  std::vector<std::string> o;
  for (const auto& [k, v] : s.changes) o.push_back(k + "=" + v);
  return o;
}

}  // namespace

TEST_CASE("advise: 13B, micro-batch 16, ZeRO-2, no recompute on 8 x A100 40GB: fitting plans, each fits when run") {
  ScenarioFactory f = file_factory("tests/data/sweep/teaching-13b-oom.yaml");
  AdviseOptions two;
  two.max_changed_keys = 2;
  Advice a = advise(f, two);
  CHECK_FALSE(a.fits);
  CHECK(a.peak_memory_bytes > a.gpu_memory_bytes);
  REQUIRE(a.memory_terms.size() == 6);
  CHECK(a.memory_terms[0].first == "activations");  // micro-batch 16 without recompute
  REQUIRE_FALSE(a.suggestions.empty());
  CHECK(a.suggestions.front().changes.size() <= 2);
  for (const Suggestion& s : a.suggestions) {
    CHECK(s.fits);
    StepResult r = simulate_step(f(overrides(s)));
    CHECK_MESSAGE(r.fits(), "suggested plan does not fit when run");
    CHECK(r.step_time_s.value() == s.step_time_s);
  }
  for (std::size_t i = 1; i < a.suggestions.size(); ++i)
    CHECK(a.suggestions[i - 1].tokens_per_s >= a.suggestions[i].tokens_per_s);
}

TEST_CASE("advise: a plan that fits gets faster plans that fit, with their memory") {
  ScenarioFactory f = file_factory("scenarios/llama-2-7b-zero3.yaml");
  AdviseOptions o;
  o.max_changed_keys = 1;
  o.threads = 2;
  Advice a = advise(f, o);
  REQUIRE(a.fits);
  CHECK(a.candidates >= 8);  // DeepSpeed (framework.name): ZeRO, offload, recompute, batch, precision moves
  for (const Suggestion& s : a.suggestions) {
    CHECK(s.changes.size() == 1);
    CHECK(s.fits);
    CHECK(s.tokens_per_s > a.tokens_per_s);
    CHECK(s.peak_memory_bytes > 0);
  }
  CHECK(a.not_simulated.empty());
}

// Issue 18, defect 6 on the DeepSpeed exercise (scenarios/exercises/13b-oom-deepspeed): the HF
// Trainer + DeepSpeed space has no TP/PP and no Megatron switches; the beam search is bounded,
// deterministic for any thread count, and suggests only plans that fit when run.
TEST_CASE("advise on HF Trainer + DeepSpeed: its space, a bounded deterministic beam, fitting plans only") {
  ScenarioFactory f = file_factory("scenarios/exercises/13b-oom-deepspeed.yaml");
  Scenario base = f({});
  AdviceSpace space = advice_space(base);
  CHECK(space.framework == "HF Trainer + DeepSpeed");
  CHECK(space.ds_config_edits);
  auto moves = advice_moves(base);
  for (const auto& move : moves) {
    const std::string& key = move.first;  // (a structured binding cannot be captured by doctest's lambdas in clang 14)
    const std::string& value = move.second;
    const bool parallel_key = key.rfind("parallel.", 0) == 0 && key != "parallel.zero_stage";
    CHECK_MESSAGE(!parallel_key, key);
    CHECK(key != "training.overlap_param_gather");
    CHECK(value != "selective");
  }
  // framework.name decides without a ds_config too: DeepSpeed runs HF model code, Megatron-LM has TP/PP.
  CHECK_FALSE(advice_space(file_factory("scenarios/teaching-13b-oom.yaml")({})).model_parallel);
  CHECK(
      advice_space(file_factory("scenarios/teaching-13b-oom.yaml", {"framework.name=megatron-lm"})({})).model_parallel);
  AdviseOptions o;
  o.max_changed_keys = 3;
  o.beam_width = 2;
  o.threads = 2;
  Advice a = advise(f, o);
  CHECK_FALSE(a.fits);
  REQUIRE(a.by_changes.size() == 3);
  CHECK(a.candidates <= moves.size() + 2 * o.beam_width * moves.size());
  std::size_t sum = 0;
  for (const ChangeLevel& l : a.by_changes) sum += l.evaluated;
  CHECK(sum == a.candidates);
  for (const Suggestion& s : a.suggestions) {
    CHECK(s.fits);
    CHECK(s.edits.size() == s.changes.size());
    CHECK_MESSAGE(simulate_step(f(overrides(s))).fits(), "suggested plan does not fit when run");
  }
  o.threads = 1;
  Advice again = advise(f, o);
  REQUIRE(again.suggestions.size() == a.suggestions.size());
  for (std::size_t i = 0; i < a.suggestions.size(); ++i) {
    CHECK(again.suggestions[i].changes == a.suggestions[i].changes);
    CHECK(again.suggestions[i].step_time_s == a.suggestions[i].step_time_s);
  }
  CHECK(again.candidates == a.candidates);
}

TEST_CASE("advice_space: a ds_config alone is the HF Trainer; with Megatron-LM flags, Megatron-DeepSpeed keeps TP/PP") {
  const std::string dir = std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/tests/data/ds/";
  ImportOptions o;
  o.ds_config = dir + "stage2.json";
  AdviceSpace hf = advice_space(load_scenario(dir + "base.yaml", {}, zoo(), o));
  CHECK(hf.framework == "HF Trainer + DeepSpeed");
  CHECK_FALSE(hf.model_parallel);
  o.megatron_args = "--tensor-model-parallel-size 1";
  AdviceSpace mds = advice_space(load_scenario(dir + "base.yaml", {}, zoo(), o));
  CHECK(mds.framework == "Megatron-DeepSpeed");
  CHECK(mds.model_parallel);
  CHECK(mds.ds_config_edits);
}
