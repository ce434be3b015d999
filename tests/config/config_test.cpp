// The key table and the YAML reader: unknown keys with suggestions, file:line
// in every error, --set overrides, defaults from the one table, and loading
// the scenarios, model cards and hardware cards that ship in the repository.
#include <doctest/doctest.h>

#include <filesystem>
#include <functional>

#include "sim/spec/limits.hpp"
#include "sim/config/config_doc.hpp"
#include "sim/load/hardware_loader.hpp"
#include "sim/load/scenario_loader.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::error_of;
using test::has;
using test::zoo;

}  // namespace

TEST_CASE("unknown keys name file, line and the nearest valid key") {
  std::string yaml = "model: gpt3-175b\ncluster: dgx-a100-80gb\nparallel:\n  tp: 8\n  tensor_paralel: 2\n";
  std::string msg = error_of([&] { ConfigDoc::load_string(yaml, "s.yaml", scenario_keys()); });
  CHECK(has(msg, "s.yaml:5"));
  CHECK(has(msg, "parallel.tensor_paralel"));
  CHECK(has(msg, "did you mean"));

  msg = error_of([&] { ConfigDoc::load_string("modle: x\n", "s.yaml", scenario_keys()); });
  CHECK(has(msg, "s.yaml:1: modle"));
  CHECK(has(msg, "'model'"));
}

TEST_CASE("sections and values must have the right shape") {
  std::string msg = error_of([] { ConfigDoc::load_string("parallel: 4\n", "s.yaml", scenario_keys()); });
  CHECK(has(msg, "s.yaml:1: parallel: is a section"));
  CHECK(has(msg, "tp"));
  msg = error_of([] { ConfigDoc::load_string("parallel:\n  tp: [1, 2]\n", "s.yaml", scenario_keys()); });
  CHECK(has(msg, "s.yaml:2: parallel.tp: expected an integer"));
  msg = error_of([] { ConfigDoc::load_string("parallel:\n  tp: 4\n   pp: 2\n", "s.yaml", scenario_keys()); });
  CHECK(has(msg, "malformed YAML"));
  CHECK(has(msg, "s.yaml:"));
}

TEST_CASE("typed getters parse through the table and check ranges") {
  ConfigDoc d = ConfigDoc::load_string(
      "parallel:\n  tp: four\n  pp: 0\ntraining:\n  precision: bf17\nmemory:\n  cuda_context: 2\n", "s.yaml",
      scenario_keys());
  CHECK(has(error_of([&] { d.get_int("parallel.tp"); }),
            "s.yaml:2: parallel.tp: 'four' is not an integer in [1, 262144]"));
  CHECK(has(error_of([&] { d.get_int("parallel.pp"); }), "out of range"));
  CHECK(has(error_of([&] { d.get_choice("training.precision"); }), "one of fp32|fp16|bf16|fp8"));
  CHECK(has(error_of([&] { d.get_quantity("memory.cuda_context"); }), "unit is required"));
  // Defaults come from the table.
  CHECK(d.get_int("parallel.cp") == 1);
  CHECK(d.get_choice("training.recompute") == "none");
  CHECK(d.get_quantity("memory.reduce_bucket_size") == doctest::Approx(5e8));
  CHECK(has(error_of([&] { d.get_int("training.global_batch"); }), "missing required key"));
}

TEST_CASE("--set overrides file values and is checked like them") {
  ConfigDoc d = ConfigDoc::load_string("parallel:\n  tp: 8\n", "s.yaml", scenario_keys());
  d.apply_override("parallel.tp=4");
  CHECK(d.get_int("parallel.tp") == 4);
  CHECK(d.where("parallel.tp").file == "--set");
  CHECK(has(error_of([&] { d.apply_override("parallel.tpp=4"); }), "did you mean 'parallel.tp'"));
  CHECK(has(error_of([&] { d.apply_override("parallel=4"); }), "is a section"));
  CHECK(has(error_of([&] { d.apply_override("no_equals_sign"); }), "dotted.key=value"));
}

TEST_CASE("every key table is consistent: defaults parse with their own type") {
  for (const KeyTable* t : all_key_tables()) {
    for (const KeyDef& k : t->keys()) {
      CAPTURE(k.path);
      CHECK(!k.help.empty());
      if (k.default_value.empty()) continue;
      ConfigDoc d = ConfigDoc::load_string("", "defaults", *t);
      switch (k.type) {
        case ValueType::integer: CHECK_NOTHROW(d.get_int(k.path)); break;
        case ValueType::number: CHECK_NOTHROW(d.get_number(k.path)); break;
        case ValueType::boolean: CHECK_NOTHROW(d.get_bool(k.path)); break;
        case ValueType::choice: CHECK_NOTHROW(d.get_choice(k.path)); break;
        case ValueType::quantity: CHECK_NOTHROW(d.get_quantity(k.path)); break;
        default: break;
      }
    }
  }
}

TEST_CASE("hardware cards load with their units") {
  Zoo z = zoo();
  for (const std::string& name : z.names(ZooKind::gpu)) {
    CAPTURE(name);
    GpuSpec g = load_gpu_card((z.root() / "topologies/gpus" / (name + ".yaml")).string());
    CHECK(g.peak_bf16.value() > 1e14);
    CHECK(g.hbm.value() > 30e9);
  }
  GpuSpec h100 = load_gpu_card((z.root() / "topologies/gpus/h100-sxm5-80gb.yaml").string());
  CHECK(h100.peak(Precision::bf16).value() == doctest::Approx(989e12));
  CHECK(h100.peak(Precision::fp8).value() == doctest::Approx(1979e12));
  // FP8 on a GPU without FP8 tensor cores is bad input (exit 2), not an internal error.
  GpuSpec a100 = load_gpu_card((z.root() / "topologies/gpus/a100-sxm4-80gb.yaml").string());
  CHECK_THROWS_AS(a100.peak(Precision::fp8), ConfigError);
  CHECK(h100.hbm_bandwidth.value() == doctest::Approx(3350e9));
  for (const std::string& name : z.names(ZooKind::cluster)) {
    CAPTURE(name);
    ClusterSpec c = load_cluster_card((z.root() / "topologies" / (name + ".yaml")).string(), z);
    // 8 per HGX/DGX node; an NVL72 rack card is one node of 72 GPUs (its NVLink domain).
    CHECK((c.node.gpus == 8 || (c.node.gpus == 72 && name.find("nvl72") != std::string::npos)));
    CHECK(c.nodes > 0);
  }
}

TEST_CASE("every shipped scenario loads and validates") {
  Zoo z = zoo();
  int loaded = 0;
  for (const auto& e : std::filesystem::directory_iterator(z.root() / "scenarios")) {
    if (e.path().extension() != ".yaml") continue;
    CAPTURE(e.path().string());
    CHECK_NOTHROW(load_scenario(e.path().string(), {}, z));
    ++loaded;
  }
  CHECK(loaded >= 2);
}

TEST_CASE("scenario derivations: dp, nodes, gpus, schedule") {
  Zoo z = zoo();
  Scenario s = load_scenario((z.root() / "scenarios/gpt3-175b-1024gpu.yaml").string(), {}, z);
  CHECK(s.gpus == 1024);
  CHECK(s.parallel.dp == 16);
  CHECK(s.num_micro_batches() == 96);
  CHECK(s.model.layers == 96);
  CHECK(s.cluster.node.gpu.name == "a100-sxm4-80gb");

  s = load_scenario((z.root() / "scenarios/gpt3-175b-1024gpu.yaml").string(),
                    {"parallel.vp=2", "parallel.schedule=interleaved-1f1b"}, z);
  CHECK(s.parallel.schedule == Schedule::interleaved_1f1b);
  // The file says schedule: 1f1b, so vp=3 alone contradicts it ...
  CHECK(has(
      error_of([&] { load_scenario((z.root() / "scenarios/gpt3-175b-1024gpu.yaml").string(), {"parallel.vp=3"}, z); }),
      "parallel.schedule: vp=3 needs schedule interleaved-1f1b"));
  // ... while a scenario that leaves the schedule unset gets interleaving from vp > 1.
  s = load_scenario_string(
      "model: gpt3-175b\ncluster: dgx-a100-80gb\nnodes: 8\nparallel: {tp: 8, pp: 8, vp: 3}\n"
      "training: {global_batch: 64}\n",
      "inline.yaml", {}, z);
  CHECK(s.parallel.schedule == Schedule::interleaved_1f1b);

  std::string yaml = "model: llama-2-7b\ncluster: dgx-h100-80gb\ngpus: 4\ntraining:\n  global_batch: 8\n";
  s = load_scenario_string(yaml, "inline.yaml", {}, z);
  CHECK(s.nodes == 1);
  CHECK(s.parallel.dp == 4);
  yaml = "model: llama-2-7b\ncluster: dgx-h100-80gb\nparallel:\n  dp: 2\n  tp: 8\ntraining:\n  global_batch: 8\n";
  s = load_scenario_string(yaml, "inline.yaml", {}, z);
  CHECK(s.gpus == 16);
  CHECK(s.nodes == 2);
}

TEST_CASE("unknown zoo names list the valid ones, nearest first") {
  std::string yaml = "model: gpt3-175\ncluster: dgx-a100-80gb\ntraining:\n  global_batch: 8\n";
  std::string msg = error_of([&] { load_scenario_string(yaml, "s.yaml", {}, zoo()); });
  CHECK(has(msg, "s.yaml:1: model: unknown model 'gpt3-175'"));
  CHECK(has(msg, "valid names (nearest first): gpt3-175b"));
}

TEST_CASE("limits (docs/limits.md): past them a scenario is refused with the key and the limit, never overflowed") {
  const std::string base = "model: gpt3-175b\ncluster: dgx-a100-80gb\ntraining: {global_batch: 1536}\n";
  auto error_with = [&](const std::vector<std::string>& sets) {
    return error_of([&] { load_scenario_string(base, "s.yaml", sets, zoo()); });
  };
  // Before the limits, these were signed-int overflows in resolve_size /
  // derive_dp (UBSan) or silent truncation of a 64-bit value to int.
  CHECK(has(error_with({"gpus=2147483647"}), "gpus: value out of range; expected an integer in [1, 262144]"));
  CHECK(has(error_with({"nodes=268435456"}), "nodes: value out of range"));
  CHECK(has(error_with({"nodes=40000"}), "nodes: the scenario would use 320000 GPUs; trainsim accepts at most 262144"));
  CHECK(has(error_with({"parallel.dp=262144", "parallel.tp=262144", "parallel.pp=262144"}),
            "parallel.dp: the scenario would use"));
  CHECK(has(error_with({"gpus=262144", "parallel.tp=262144", "parallel.pp=262144", "parallel.cp=262144"}),
            "parallel.tp: tp x pp x cp = 18014398509481984 does not divide the 262144 GPUs"));
  CHECK(has(error_with({"training.micro_batch=100000"}), "training.micro_batch: value out of range"));
  CHECK(has(error_with({"gpus=8", "parallel.tp=8", "training.global_batch=100000"}),
            "global_batch=100000 makes 100000 micro-batches per pipeline; trainsim simulates at most 65536"));
  // Integer keys without their own limit stop inside int.
  CHECK(has(error_with({"offload.aio_queue_depth=4294967296"}),
            "value out of range; expected an integer in [1, 1073741824]"));
  // At the limit a scenario loads.
  Scenario s = load_scenario_string(
      base, "s.yaml", {"gpus=262144", "parallel.tp=8", "parallel.pp=8", "training.global_batch=4096"}, zoo());
  CHECK(s.gpus == 262144);
  CHECK(s.parallel.dp == 4096);
}

TEST_CASE("fuzz finding: a name the OS cannot look up is an unknown name, not a filesystem_error") {
  // fuzz_yaml_loaders crash-name-too-long: a 300-character cluster name made
  // std::filesystem::is_regular_file throw (ENAMETOOLONG), exit 3 in the CLI.
  const std::string long_name(300, 'x');
  const std::string yaml = "model: gpt3-175b\ncluster: " + long_name + "\ntraining: {global_batch: 8}\n";
  CHECK(has(error_of([&] { load_scenario_string(yaml, "s.yaml", {}, zoo()); }),
            "unknown cluster '" + long_name.substr(0, kMaxEchoedName) + "... (300 bytes)'"));
  CHECK(has(error_of([&] {
              load_scenario_string(yaml, "s.yaml",
                                   {"cluster=dgx-a100-80gb", "training.compute_profile=" + long_name + ".csv"}, zoo());
            }),
            "training.compute_profile: cannot read this compute profile"));
}
