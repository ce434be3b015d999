// Framework profiles (issue 19): the profile of framework.name /
// framework.version is chosen by version range (nearest, with a warning, for a
// version outside every range), its defaults apply only where no key or
// importer spoke and are said as assumptions, and its sharding x pipeline
// rule refuses what the framework's code refuses, with the framework's reason.
#include <doctest/doctest.h>

#include <cmath>

#include "sim/load/scenario_loader.hpp"
#include "sim/spec/framework_profile.hpp"
#include "sim/spec/run_assumptions.hpp"
#include "tests/test_util.hpp"

using namespace trainsim;
using test::has;

namespace {

// 24 layers, 8 GPUs: pp 2 leaves dp 4.
const char* kBase = R"(model: megatron-gpt-1.7b
cluster: dgx-a100-80gb
gpus: 8
training: {seq_len: 2048, micro_batch: 1, global_batch: 16}
)";

Scenario load(const std::vector<std::string>& sets) { return test::scenario(kBase, sets); }

std::string refusal(const std::vector<std::string>& sets) {
  return test::error_of([&] { load(sets); });
}

bool said(const std::vector<std::string>& lines, const std::string& part) {
  for (const std::string& l : lines)
    if (has(l, part)) return true;
  return false;
}

std::string label_of(Framework f, const std::string& version) {
  const ProfileChoice c = select_profile(f, version);
  return c.profile ? profile_label(*c.profile) : "";
}

}  // namespace

TEST_CASE("versions are read as the frameworks write them") {
  CHECK(parse_version("0.14.2") == std::vector<long>{0, 14, 2});
  CHECK(parse_version("v0.4.5") == std::vector<long>{0, 4, 5});
  CHECK(parse_version("nemo-25.09") == std::vector<long>{25, 9});
  CHECK(parse_version("core_r0.13.0") == std::vector<long>{0, 13, 0});
  CHECK(parse_version("25.09") == std::vector<long>{25, 9});
  CHECK(parse_version("0.14.2rc1") == std::vector<long>{0, 14, 2});
  CHECK(parse_version("latest").empty());
  CHECK(compare_versions({0, 5, 10}, {0, 6}) < 0);
  CHECK(compare_versions({0, 6}, {0, 6, 0}) == 0);
  CHECK(compare_versions({0, 14, 2}, {0, 6}) > 0);
}

TEST_CASE("a profile is chosen by version range; unset is the newest") {
  CHECK(label_of(Framework::deepspeed, "0.5.10") == "deepspeed < 0.6.0");
  CHECK(label_of(Framework::deepspeed, "v0.4.5") == "deepspeed < 0.6.0");
  CHECK(label_of(Framework::deepspeed, "0.6.0") == "deepspeed >= 0.6.0");
  CHECK(label_of(Framework::deepspeed, "0.14.2") == "deepspeed >= 0.6.0");
  CHECK(label_of(Framework::deepspeed, "") == "deepspeed >= 0.6.0");
  CHECK(select_profile(Framework::deepspeed, "0.5.10").warning.empty());
  CHECK(select_profile(Framework::megatron_lm, "core_r0.13.0").warning.empty());
  CHECK(label_of(Framework::hf_trainer, "4.57.1") == "hf-trainer (all versions)");
}

TEST_CASE("an unknown version takes the nearest profile, with a warning") {
  const ProfileChoice early = select_profile(Framework::torchtitan, "0.0.9");
  REQUIRE(early.profile != nullptr);
  CHECK(profile_label(*early.profile) == "torchtitan >= 0.1.0");
  CHECK(has(early.warning, "framework.version '0.0.9' is outside the versions"));
  const ProfileChoice none = select_profile(Framework::deepspeed, "latest");
  CHECK(profile_label(*none.profile) == "deepspeed >= 0.6.0");
  CHECK(has(none.warning, "has no version number"));
  // In the scenario's import log, at the key's place.
  const Scenario s = load({"framework.name=torchtitan", "framework.version=0.0.9"});
  CHECK(said(s.imports.warnings, "--set: framework.version '0.0.9' is outside the versions"));
  CHECK(said(s.imports.warnings, "using the nearest, torchtitan >= 0.1.0"));
}

TEST_CASE("torchtitan's defaults apply where nothing else spoke, said as assumptions") {
  const Scenario s = load({"framework.name=torchtitan"});
  CHECK(s.parallel.zero_stage == 3);             // data_parallel_shard_degree = -1: FSDP
  CHECK(s.training.grad_bytes == 4);             // mixed_precision_reduce = float32
  CHECK(s.parallel.reshard_after_forward == 1);  // "default" without PP: reshard
  const std::vector<std::string> lines = run_assumptions(s).imports;
  CHECK(said(lines, "parallel.zero_stage = 3 from the framework profile torchtitan >= 0.1.0"));
  CHECK(said(lines, "torchtitan/config/configs.py"));
  CHECK(said(lines, "training.grad_dtype = fp32 from the framework profile torchtitan >= 0.1.0"));
  // With PP torchtitan keeps parameters gathered after the forward.
  CHECK(load({"framework.name=torchtitan", "parallel.pp=2"}).parallel.reshard_after_forward == 0);
  // --save-resolved writes what the profile decided.
  CHECK(s.resolved_texts.at("parallel.zero_stage") == "3");
}

TEST_CASE("an explicit key beats the profile") {
  const Scenario s = load({"framework.name=torchtitan", "parallel.zero_stage=1"});
  CHECK(s.parallel.zero_stage == 1);
  CHECK_FALSE(said(run_assumptions(s).imports, "parallel.zero_stage = 3"));
  // Without parameter sharding the reshard default does not apply either.
  CHECK_FALSE(said(run_assumptions(s).imports, "parallel.reshard_after_forward"));
  const Scenario yaml =
      test::scenario(std::string(kBase) + "framework: {name: megatron-bridge}\nparallel: {zero_stage: 0}\n");
  CHECK(yaml.parallel.zero_stage == 0);
  CHECK(yaml.training.overlap.param_gather);  // the recipe's, not given
}

TEST_CASE("the default framework applies no profile default") {
  const Scenario s = load({});
  CHECK(s.framework == Framework::megatron_lm);
  CHECK(s.parallel.zero_stage == 0);
  CHECK_FALSE(said(run_assumptions(s).imports, "framework profile"));
}

TEST_CASE("DeepSpeed before 0.6 gathers ZeRO-3 parameters without prefetch; a ds_config still wins") {
  const Scenario old = load({"framework.name=deepspeed", "framework.version=0.5.10", "parallel.zero_stage=3"});
  CHECK(old.memory.prefetch_bucket_elements == 0);
  CHECK(said(run_assumptions(old).imports,
             "memory.prefetch_bucket_size = 0 from the framework profile deepspeed < 0.6.0"));
  const Scenario now = load({"framework.name=deepspeed", "framework.version=0.14.2", "parallel.zero_stage=3"});
  CHECK(now.memory.prefetch_bucket_elements == doctest::Approx(5e7));  // DeepSpeed's code default
  // The ds_config's "auto" (0.9 x hidden^2, as the HF Trainer fills it) wins over the profile.
  const Scenario ds =
      load_scenario("scenarios/deepspeed/zero3-offload-auto.yaml", {"framework.version=0.5.0"}, test::zoo());
  CHECK(ds.memory.prefetch_bucket_elements == doctest::Approx(std::floor(0.9 * ds.model.hidden * ds.model.hidden)));
}

TEST_CASE("DeepSpeed's bucket sizes come from its profile, said with their source; a ds_config wins") {
  // deepspeed/runtime/zero/config.py: reduce_bucket_size and allgather_bucket_size 5e8,
  // stage3_prefetch_bucket_size 5e7 elements.
  const Scenario now = load({"framework.name=deepspeed", "parallel.zero_stage=2"});
  CHECK(now.memory.reduce_bucket_elements == 5e8);
  CHECK(now.memory.allgather_bucket_elements == 5e8);
  const std::vector<std::string> lines = run_assumptions(now).imports;
  CHECK(said(lines, "memory.reduce_bucket_size = 5e8 from the framework profile deepspeed >= 0.6.0"));
  CHECK(said(lines, "memory.allgather_bucket_size = 5e8 from the framework profile deepspeed >= 0.6.0"));
  CHECK(said(lines, "DeepSpeedZeroConfig.reduce_bucket_size"));
  // Each size is said at the stages whose code reads it: the prefetch at ZeRO-3 only.
  CHECK_FALSE(said(lines, "memory.prefetch_bucket_size"));
  const std::vector<std::string> z3 =
      run_assumptions(load({"framework.name=deepspeed", "parallel.zero_stage=3"})).imports;
  CHECK(said(z3, "memory.prefetch_bucket_size = 5e7 from the framework profile deepspeed >= 0.6.0"));
  CHECK_FALSE(said(z3, "memory.allgather_bucket_size"));
  CHECK_FALSE(said(run_assumptions(load({"framework.name=deepspeed"})).imports, "bucket_size"));  // ZeRO-0
  const Scenario old = load({"framework.name=deepspeed", "framework.version=0.5.10", "parallel.zero_stage=1"});
  CHECK(said(run_assumptions(old).imports,
             "memory.reduce_bucket_size = 5e8 from the framework profile deepspeed < 0.6.0"));
  CHECK(said(run_assumptions(old).imports, "ZERO_OPTIMIZATION_REDUCE_BUCKET_SIZE_DEFAULT"));
  // An explicit size is the launch's: neither taken nor said from the profile.
  const Scenario given = load({"framework.name=deepspeed", "memory.reduce_bucket_size=2e7"});
  CHECK(given.memory.reduce_bucket_elements == 2e7);
  CHECK_FALSE(said(run_assumptions(given).imports, "memory.reduce_bucket_size = 5e8"));
}

TEST_CASE("Megatron-core's DDP bucket rule: max(40M, 1M x dp x cp), from the profile") {
  // megatron/core/distributed/distributed_data_parallel.py: bucket_size = max(40000000, 1000000 * dp).
  const DdpBucketRule r = ddp_bucket_rule(Framework::megatron_core);
  CHECK(r.elements(8) == 40e6);
  CHECK(r.elements(40) == 40e6);
  CHECK(r.elements(64) == 64e6);
  CHECK(r.elements(1024) == 1024e6);
  for (Framework f : {Framework::megatron_lm, Framework::nemo, Framework::megatron_bridge})
    CHECK(ddp_bucket_rule(f).elements(128) == 128e6);
  CHECK(ddp_bucket_rule(Framework::deepspeed).empty());   // DeepSpeed's buckets are its keys
  CHECK(ddp_bucket_rule(Framework::torchtitan).empty());  // FSDP2 reduces per block
}

TEST_CASE("Megatron-DeepSpeed pipelines through DeepSpeed's PipelineEngine") {
  CHECK(load({"framework.name=megatron-deepspeed", "parallel.pp=2"}).parallel.pipeline_engine ==
        PipelineEngine::deepspeed);
  CHECK(load({"framework.name=megatron-deepspeed", "parallel.pp=2", "parallel.pipeline_engine=megatron"})
            .parallel.pipeline_engine == PipelineEngine::megatron);
}

TEST_CASE("sharding x pipeline: each framework's rule with its own reason") {
  // Megatron-LM (the default framework): the distributed optimizer (ZeRO-1) with PP.
  const std::string megatron = refusal({"parallel.zero_stage=2", "parallel.pp=2"});
  CHECK(has(megatron,
            "parallel.zero_stage: ZeRO stage 2 cannot be combined with pipeline parallelism (pp=2) in "
            "megatron-lm"));
  CHECK(has(megatron, "distributed optimizer"));
  CHECK(has(megatron, "framework.name: megatron-fsdp"));
  CHECK(load({"parallel.zero_stage=1", "parallel.pp=2"}).parallel.zero_stage == 1);
  // DeepSpeed and Megatron-DeepSpeed: the PipelineEngine's assertion.
  for (const char* f : {"framework.name=deepspeed", "framework.name=megatron-deepspeed"}) {
    const std::string ds = refusal({f, "parallel.zero_stage=3", "parallel.pp=2"});
    CHECK(has(ds, "ZeRO-2 and ZeRO-3 are incompatible with pipeline parallelism"));
    CHECK(has(ds, "deepspeed/runtime/pipe/engine.py"));
  }
  CHECK(has(refusal({"framework.name=nemo", "parallel.zero_stage=3", "parallel.pp=2"}), "in nemo"));
  // torchtitan (FSDP2) and Megatron-FSDP shard parameters with PP.
  const Scenario titan = load({"framework.name=torchtitan", "parallel.zero_stage=3", "parallel.pp=2"});
  CHECK(titan.parallel.pp == 2);
  CHECK(titan.parallel.zero_stage == 3);
  CHECK(load({"framework.name=torchtitan", "parallel.pp=2"}).parallel.zero_stage == 3);  // its default, with PP
  CHECK(load({"framework.name=megatron-fsdp", "parallel.pp=2"}).parallel.zero_stage == 3);
  // The HF Trainer has no pipeline parallelism at all.
  const std::string hf = refusal({"framework.name=hf-trainer", "parallel.pp=2"});
  CHECK(has(hf, "parallel.pp: pp=2: hf-trainer (all versions) has no pipeline parallelism"));
  CHECK(has(hf, "use pp: 1"));
  CHECK(load({"framework.name=hf-trainer", "parallel.zero_stage=3"}).parallel.zero_stage == 3);
}

TEST_CASE("every profile states its sources") {
  for (const FrameworkProfile& p : framework_profiles()) {
    CAPTURE(profile_label(p));
    if (!p.rule.pipeline || p.rule.max_zero_with_pp < 3) CHECK(std::string(p.rule.reason).size() > 20);
    for (const ProfileDefault& d : p.defaults) CHECK(has(d.source, ".py"));
  }
}
