// DeepSpeed ds_config.json importer (sim/import/deepspeed/ds_config.hpp): DeepSpeed's batch
// rule, floats for integer keys, misspellings with suggestions and file:line,
// "auto" as the HF Trainer fills it, code defaults that differ from the docs,
// ignored keys, and the scenarios of scenarios/deepspeed/ resolved into Scenario
// fields (offload included, which `trainsim run` refuses for now).
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>

#include "sim/import/deepspeed/ds_config.hpp"
#include "sim/import/deepspeed/ds_patch.hpp"
#include "sim/load/scenario_loader.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::error_of;
using test::has;

DsContext ctx16() {  // 16 GPUs, pure data parallel, hidden 4096
  DsContext c;
  c.gpus = 16;
  c.hidden = 4096;
  return c;
}

std::string value_of(const DsConfigResult& r, const std::string& key) {
  for (const auto& s : r.settings)
    if (s.key == key && !s.tool_default) return s.value;
  return "(unset)";
}

bool any_of(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return has(l, part); });
}

using test::zoo;

std::string scenario(const std::string& name) {
  return std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/scenarios/deepspeed/" + name + ".yaml";
}

}  // namespace

TEST_CASE("batch rule: any two of the three batch keys derive the third, as DeepSpeed does") {
  auto r = parse_ds_config(R"({"train_batch_size": 512, "train_micro_batch_size_per_gpu": 4})", "d.json", ctx16());
  CHECK(value_of(r, "training.micro_batch") == "4");
  CHECK(value_of(r, "training.global_batch") == "512");
  CHECK(nlohmann::json::parse(r.resolved_json)["gradient_accumulation_steps"] == 8);
  r = parse_ds_config(R"({"train_batch_size": 512, "gradient_accumulation_steps": 2})", "d.json", ctx16());
  CHECK(value_of(r, "training.micro_batch") == "16");
  r = parse_ds_config(R"({"train_micro_batch_size_per_gpu": 2, "gradient_accumulation_steps": 3})", "d.json", ctx16());
  CHECK(value_of(r, "training.global_batch") == "96");
  r = parse_ds_config(R"({"train_micro_batch_size_per_gpu": 2})", "d.json", ctx16());
  CHECK(value_of(r, "training.global_batch") == "32");
  DsContext c = ctx16();
  c.tp = 2, c.pp = 2;  // world_size = DP = 16 / 4
  r = parse_ds_config(R"({"train_batch_size": 64, "train_micro_batch_size_per_gpu": 4})", "d.json", c);
  CHECK(nlohmann::json::parse(r.resolved_json)["gradient_accumulation_steps"] == 4);
}

TEST_CASE("batch rule violated: DeepSpeed's message at the file, line and key") {
  std::string text =
      "{\n  \"train_batch_size\": 256,\n  \"train_micro_batch_size_per_gpu\": 4,\n"
      "  \"gradient_accumulation_steps\": 8\n}\n";
  std::string msg = error_of([&] { parse_ds_config(text, "d.json", ctx16()); });
  CHECK(has(msg, "d.json:2: /train_batch_size: Check batch related parameters."));
  CHECK(has(msg, "256 != 4 * 8 * 16"));
  CHECK(has(error_of([&] { parse_ds_config(R"({"gradient_accumulation_steps": 2})", "d.json", ctx16()); }),
            "Either train_batch_size or train_micro_batch_size_per_gpu needs to be provided"));
  CHECK(has(error_of([&] {
              parse_ds_config(R"({"train_batch_size": 8, "train_micro_batch_size_per_gpu": 4})", "d.json", ctx16());
            }),
            "Gradient accumulation steps: 0 has to be greater than 0"));
}

TEST_CASE("integer keys take floats that are whole (5e8) and refuse others") {
  auto r = parse_ds_config(R"({"train_batch_size": 16, "zero_optimization": {"stage": 2, "reduce_bucket_size": 5e8,
                                "allgather_bucket_size": 2.0e8}})",
                           "d.json", ctx16());
  CHECK(value_of(r, "memory.reduce_bucket_size") == "500000000");
  CHECK(value_of(r, "memory.allgather_bucket_size") == "200000000");
  std::string msg = error_of([] {
    parse_ds_config("{\"train_batch_size\": 16,\n \"zero_optimization\": {\"reduce_bucket_size\": 5.5e0}}", "d.json",
                    ctx16());
  });
  CHECK(has(msg, "d.json:2: /zero_optimization/reduce_bucket_size: expected an integer; 5.5 is not a whole number"));
  CHECK(has(error_of([] { parse_ds_config(R"({"train_batch_size": "64"})", "d.json", ctx16()); }),
            "expected an integer"));
}

TEST_CASE("misspelled keys are errors naming the nearest valid key; malformed JSON names the line") {
  std::string msg = error_of([] {
    parse_ds_config("{\n \"train_batch_size\": 16,\n \"zero_optimisation\": {\"stage\": 1}\n}", "d.json", ctx16());
  });
  CHECK(has(msg, "d.json:3: /zero_optimisation: unknown key"));
  CHECK(has(msg, "did you mean 'zero_optimization'?"));
  msg = error_of([] {
    parse_ds_config(R"({"train_batch_size": 16, "zero_optimization": {"offload_param": {"devise": "cpu"}}})", "d.json",
                    ctx16());
  });
  CHECK(has(msg, "/zero_optimization/offload_param/devise"));
  CHECK(has(msg, "'device'"));
  CHECK(has(error_of([] { parse_ds_config("{\n\"train_batch_size\": 16,,\n}", "d.json", ctx16()); }),
            "d.json:2: malformed JSON"));
  CHECK(has(error_of([] { parse_ds_config("{\"train_batch_size\": 16,\n \"a/b~2\": 1}", "d.json", ctx16()); }),
            "d.json:2: /a~1b~02: unknown key"));
  CHECK(has(error_of([] {
              parse_ds_config(R"({"train_batch_size": 16, "fp16": {"enabled": true}, "bf16": {"enabled": true}})",
                              "d.json", ctx16());
            }),
            "bfloat16 and fp16 modes cannot be simultaneously enabled"));
}

TEST_CASE("\"auto\" is filled as the HF Trainer fills it") {
  DsContext c = ctx16();
  c.micro_batch = 2;
  c.global_batch = 128;
  c.precision = "bf16";
  auto r = parse_ds_config(R"({"train_batch_size": "auto", "train_micro_batch_size_per_gpu": "auto",
      "gradient_accumulation_steps": "auto", "bf16": {"enabled": "auto"}, "fp16": {"enabled": "auto"},
      "zero_optimization": {"stage": 3, "reduce_bucket_size": "auto", "stage3_prefetch_bucket_size": "auto",
                            "stage3_param_persistence_threshold": "auto"}})",
                           "d.json", c);
  auto j = nlohmann::json::parse(r.resolved_json);
  CHECK(j["gradient_accumulation_steps"] == 4);  // 128 / (2 x 16)
  CHECK(j["bf16"]["enabled"] == true);
  CHECK(j["fp16"]["enabled"] == false);
  CHECK(j["zero_optimization"]["reduce_bucket_size"] == 4096LL * 4096);
  CHECK(j["zero_optimization"]["stage3_prefetch_bucket_size"] == 4096LL * 4096 * 9 / 10);
  CHECK(j["zero_optimization"]["stage3_param_persistence_threshold"] == 40960);
  CHECK(value_of(r, "memory.prefetch_bucket_size") == std::to_string(4096LL * 4096 * 9 / 10));
  CHECK(value_of(r, "training.precision") == "bf16");
}

TEST_CASE("code defaults that differ from the documentation are used, with a warning") {
  auto r = parse_ds_config(R"({"train_batch_size": 16, "zero_optimization": {"stage": 3}})", "d.json", ctx16());
  CHECK(any_of(r.warnings, "overlap_comm not set"));
  CHECK(any_of(r.warnings, "stage3_prefetch_bucket_size not set: DeepSpeed's code default is 50000000"));
  bool overlap_default_on = false;
  for (const auto& s : r.settings)
    if (s.key == "training.overlap_grad_reduce" && s.tool_default && s.value == "true") overlap_default_on = true;
  CHECK(overlap_default_on);
  r = parse_ds_config(R"({"train_batch_size": 16, "zero_optimization": {"stage": 2}})", "d.json", ctx16());
  CHECK_FALSE(any_of(r.warnings, "overlap_comm"));
  for (const auto& s : r.settings)
    if (s.key == "training.overlap_grad_reduce") CHECK(s.value == "false");  // DeepSpeed: off below ZeRO-3
}

TEST_CASE("keys trainsim does not model are listed as ignored, once each") {
  auto r = parse_ds_config(R"({"train_batch_size": 16, "steps_per_print": 10, "scheduler": {"type": "WarmupLR"},
      "activation_checkpointing": {"partition_activations": true}, "fp16": {"enabled": true, "loss_scale": 0}})",
                           "d.json", ctx16());
  CHECK(std::count(r.ignored.begin(), r.ignored.end(), "scheduler (no effect on step time or memory)") == 1);
  CHECK(any_of(r.ignored, "steps_per_print (no effect on step time or memory)"));
  CHECK(any_of(r.ignored, "activation_checkpointing.partition_activations (DeepSpeed recomputes only"));
  CHECK(any_of(r.ignored, "fp16.loss_scale"));
}

TEST_CASE("scenarios/deepspeed resolve into the Scenario fields") {
  Scenario s = load_scenario(scenario("zero3-offload-auto"), {}, zoo());
  CHECK(s.parallel.zero_stage == 3);
  CHECK(s.offload.optimizer == OffloadDevice::cpu);
  CHECK(s.offload.params == OffloadDevice::cpu);
  CHECK(s.offload.pin_memory);
  CHECK(s.memory.reduce_bucket_elements == doctest::Approx(5120.0 * 5120));
  CHECK(s.memory.prefetch_bucket_elements == doctest::Approx(std::floor(0.9 * 5120 * 5120)));
  CHECK(s.memory.param_persistence_threshold == doctest::Approx(51200));
  CHECK(s.training.micro_batch == 2);
  CHECK(s.training.overlap.grad_clip);
  CHECK(s.imports.ds_keys.size() > 5);

  s = load_scenario(scenario("zero-infinity-nvme"), {}, zoo());
  CHECK(s.offload.optimizer == OffloadDevice::nvme);
  CHECK(s.offload.params == OffloadDevice::nvme);
  CHECK(s.offload.param_buffer_elements == doctest::Approx(1e9));
  CHECK(s.offload.aio.queue_depth == 8);
  CHECK(s.training.global_batch == 64);

  s = load_scenario(scenario("zero2-offload-aio"), {}, zoo());
  CHECK(s.parallel.zero_stage == 2);
  CHECK(s.offload.aio.thread_count == 2);
  CHECK(s.offload.aio.queue_depth == 16);
  CHECK(s.offload.aio.block_size.value() == doctest::Approx(1048576));
  CHECK(s.training.global_batch == 8 * 4 * 8);
  CHECK(s.memory.allgather_bucket_elements == doctest::Approx(2e8));

  s = load_scenario(scenario("zero1-fp16"), {}, zoo());
  CHECK(s.training.precision == Precision::fp16);
  CHECK(s.parallel.zero_stage == 1);
  CHECK(s.num_micro_batches() == 8);
  CHECK(has(error_of([] { load_scenario(scenario("batch-mismatch"), {}, zoo()); }), "Check batch related parameters"));
}

TEST_CASE("a setting given by the scenario and the ds_config must agree; tool defaults yield") {
  std::string dir = std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/tests/data/ds/";
  std::string msg = error_of([&] { load_scenario(dir + "conflict.yaml", {}, zoo()); });
  CHECK(has(msg, "conflict.yaml:7: parallel.zero_stage: the scenario says 1 but"));
  CHECK(has(msg, "stage2.json:6: /zero_optimization/stage says 2"));
  ImportOptions o;
  o.ds_config = dir + "stage2.json";
  Scenario s = load_scenario(dir + "base.yaml", {"training.grad_clip=true"}, zoo(), o);
  CHECK(s.training.overlap.grad_clip);  // the scenario's value wins over DeepSpeed's default of no clipping
  CHECK(any_of(s.imports.warnings,
               "training.grad_clip = true is used, although DeepSpeed's gradient_clipping default is 0"));
  Scenario same = load_scenario(dir + "base.yaml", {"parallel.zero_stage=2"}, zoo(), o);  // agreeing: fine
  CHECK(same.parallel.zero_stage == 2);
}

TEST_CASE("--set wins over the ds_config, with a warning naming the ds_config key; the resolved ds_config follows") {
  std::string dir = std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/tests/data/ds/";
  ImportOptions o;
  o.ds_config = dir + "stage2.json";  // 64 = micro 4 x accumulation 1 x 16 GPUs, ZeRO-2, bf16
  Scenario s = load_scenario(dir + "base.yaml", {"parallel.zero_stage=3", "training.micro_batch=2"}, zoo(), o);
  CHECK(s.parallel.zero_stage == 3);
  CHECK(s.training.micro_batch == 2);
  CHECK(s.training.global_batch == 64);  // the ds_config's batch is kept: 2 x 2 x 16
  CHECK(any_of(s.imports.warnings, "--set parallel.zero_stage=3 overrides zero_optimization.stage = 2"));
  CHECK(any_of(s.imports.warnings, "--set training.micro_batch=2 overrides train_micro_batch_size_per_gpu = 4"));
  nlohmann::json r = nlohmann::json::parse(s.imports.resolved_ds_config);
  CHECK(r["zero_optimization"]["stage"] == 3);
  CHECK(r["train_micro_batch_size_per_gpu"] == 2);
  CHECK(r["gradient_accumulation_steps"] == 2);  // DeepSpeed's rule: 64 = 2 x 2 x 16
  CHECK(r["train_batch_size"] == 64);
  // A --set the ds_config does not give, of a key it can say, is written into it too.
  Scenario off = load_scenario(dir + "base.yaml", {"parallel.zero_stage=3", "offload.optimizer=cpu"}, zoo(), o);
  CHECK(nlohmann::json::parse(off.imports.resolved_ds_config)["zero_optimization"]["offload_optimizer"]["device"] ==
        "cpu");
  // The scenario file itself must still agree with the ds_config.
  CHECK(has(error_of([&] { load_scenario(dir + "conflict.yaml", {}, zoo()); }), "make them agree"));
}

TEST_CASE("patch_ds_config: scenario changes as ds_config edits (ds_patch.hpp)") {
  const std::string text =
      R"({"train_batch_size": 128, "train_micro_batch_size_per_gpu": 16, "gradient_accumulation_steps": 1,
          "fp16": {"enabled": true}, "zero_optimization": {"stage": 2, "reduce_bucket_size": 5e8}})";
  DsPatch p = patch_ds_config(text,
                              {{"parallel.zero_stage", "3"},
                               {"offload.optimizer", "cpu"},
                               {"training.micro_batch", "1"},
                               {"training.precision", "bf16"},
                               {"training.recompute", "full"},
                               {"memory.reduce_bucket_size", "2e8"}},
                              {128, 1, 8}, {{"memory.reduce_bucket_size", "/zero_optimization/reduce_bucket_size"}});
  nlohmann::json j = nlohmann::json::parse(p.json);
  CHECK(j["zero_optimization"]["stage"] == 3);
  CHECK(j["zero_optimization"]["offload_optimizer"]["device"] == "cpu");
  CHECK(j["zero_optimization"]["reduce_bucket_size"] == 2e8);
  CHECK(j["train_micro_batch_size_per_gpu"] == 1);
  CHECK(j["gradient_accumulation_steps"] == 16);  // 128 / (1 x 8)
  CHECK(j["train_batch_size"] == 128);
  CHECK(j["fp16"]["enabled"] == false);
  CHECK(j["bf16"]["enabled"] == true);
  REQUIRE(p.edits.size() == 6);
  CHECK(p.edits[0] == "zero_optimization.stage: 3");
  CHECK(p.edits[1] == "zero_optimization.offload_optimizer.device: cpu");
  CHECK(p.edits[2] == "train_micro_batch_size_per_gpu: 1 with gradient_accumulation_steps: 16");
  CHECK(p.edits[3] == "fp16.enabled: false, bf16.enabled: true");
  CHECK(p.edits[4] == "enable gradient checkpointing in the model");
  CHECK(p.scenario_keys == std::vector<std::string>{"training.recompute"});
  // Keys the user's file leaves "auto" are filled by the HF Trainer from its arguments: the edit names the argument.
  const std::string user = R"({"train_micro_batch_size_per_gpu": "auto", "gradient_accumulation_steps": "auto",
                              "bf16": {"enabled": "auto"}, "gradient_clipping": "auto"})";
  DsPatch hf = patch_ds_config(
      text, {{"training.micro_batch", "1"}, {"training.precision", "bf16"}, {"training.grad_clip", "false"}},
      {128, 1, 8}, {}, user);
  REQUIRE(hf.edits.size() == 3);
  CHECK(hf.edits[0] ==
        "--per_device_train_batch_size 1 --gradient_accumulation_steps 16 (HF Trainer arguments: the "
        "ds_config says auto)");
  CHECK(hf.edits[1] == "--bf16 (HF Trainer argument: the ds_config says auto)");
  CHECK(hf.edits[2] == "--max_grad_norm 0.0 (HF Trainer argument: the ds_config says auto)");
  CHECK(nlohmann::json::parse(hf.json)["train_micro_batch_size_per_gpu"] == 1);  // the resolved file holds the value
  DsPatch seq = patch_ds_config("{}", {{"training.seq_len", "1024"}}, {128, 16, 8});
  CHECK(seq.edits == std::vector<std::string>{"training.seq_len: 1024 (scenario key)"});
}

TEST_CASE("fuzz findings (fuzz_ds_config): out-of-range numbers, no data-parallel rank, batch products") {
  // A number past the range of a double: nlohmann::json's out_of_range, not parse_error.
  CHECK(has(error_of([] { parse_ds_config(R"({"train_batch_size": 1e30000000})", "d.json", ctx16()); }),
            "d.json: malformed JSON"));
  // More pipeline stages than GPUs: DeepSpeed's world_size would be 0 (was a division by zero).
  std::string msg =
      error_of([] { parse_ds_config(R"({"pipeline": {"stages": 32}, "train_batch_size": 16})", "d.json", ctx16()); });
  CHECK(has(msg, "/pipeline/stages: no data-parallel rank"));
  CHECK(has(msg, "give at most 16 pipeline stages"));
  CHECK(has(error_of([] {
              parse_ds_config(R"({"pipeline": {"stages": 4294967296}, "train_batch_size": 16})", "d.json", ctx16());
            }),
            "expected an integer <= 262144"));
  // micro x accumulation x world past 64 bits (was a signed overflow): the keys stop at trainsim's limits.
  msg = error_of([] {
    parse_ds_config(R"({"train_micro_batch_size_per_gpu": 9000000000000000000, "gradient_accumulation_steps": 1000})",
                    "d.json", ctx16());
  });
  CHECK(has(msg, "/train_micro_batch_size_per_gpu: expected an integer <= 65536"));
  CHECK(has(error_of([] {
              parse_ds_config(R"({"train_batch_size": 16, "gradient_accumulation_steps": 1e12})", "d.json", ctx16());
            }),
            "/gradient_accumulation_steps: expected an integer <= 65536"));
}

TEST_CASE("patch_user_ds_config: the user's file with only the changes, its order kept, auto left to the HF Trainer") {
  const std::string user = R"({
  "zero_optimization": {"stage": 2, "overlap_comm": true},
  "train_micro_batch_size_per_gpu": "auto",
  "gradient_accumulation_steps": "auto",
  "fp16": {"enabled": true},
  "optimizer": {"type": "AdamW", "params": {"lr": 2e-5}}
})";
  DsPatch p = patch_user_ds_config(user, {{"parallel.zero_stage", "3"}, {"training.micro_batch", "1"}}, {128, 1, 8});
  const nlohmann::ordered_json j = nlohmann::ordered_json::parse(p.json);
  std::vector<std::string> keys;
  for (const auto& item : j.items()) keys.push_back(item.key());
  CHECK(keys == std::vector<std::string>{"zero_optimization", "train_micro_batch_size_per_gpu",
                                         "gradient_accumulation_steps", "fp16", "optimizer"});
  CHECK(j["zero_optimization"]["stage"] == 3);
  CHECK(j["zero_optimization"]["overlap_comm"] == true);
  // "auto" stays: the HF Trainer fills it from --per_device_train_batch_size / --gradient_accumulation_steps.
  CHECK(j["train_micro_batch_size_per_gpu"] == "auto");
  CHECK(j["gradient_accumulation_steps"] == "auto");
  CHECK(p.edits.back().find("--per_device_train_batch_size 1 --gradient_accumulation_steps 16") != std::string::npos);
  CHECK(j["optimizer"]["params"]["lr"] == 2e-5);
  CHECK_FALSE(j.contains("train_batch_size"));  // not in the user's file, not needed by DeepSpeed's rule
}
