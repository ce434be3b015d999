// One source of truth for the scenario defaults: the key table
// (sim/config/keys_scenario.cpp). A Scenario built in code from a model and a
// cluster must equal the one the loader builds from a YAML that gives only the
// required keys (model, cluster, training.global_batch); any struct
// initialiser in sim/spec/scenario.hpp that disagrees with the table fails here.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "sim/load/hardware_loader.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/spec/enum_names.hpp"

using namespace trainsim;

namespace {

Zoo zoo() { return Zoo(TRAINSIM_DEFAULT_DATA_DIR); }

// The Scenario built in code: the cards, the derived sizes and the required
// global batch; everything else from the struct initialisers.
Scenario built_in_code(const Zoo& z, int global_batch) {
  Scenario s;
  s.model = load_model((z.root() / "models" / "megatron-gpt-1.7b.yaml").string());
  s.cluster = load_cluster_card((z.root() / "topologies" / "dgx-a100-80gb.yaml").string(), z);
  s.nodes = s.cluster.nodes;               // default: the card's node count
  s.gpus = s.nodes * s.cluster.node.gpus;  // default: nodes x GPUs per node
  s.parallel.dp = s.gpus;                  // default: GPUs / (tp x pp x cp), all 1 by default
  s.training.global_batch = global_batch;  // required: no default
  return s;
}

// The YAML of only the required keys (and `extra` lines), with `sets` applied.
Scenario loaded_minimal(const Zoo& z, int global_batch, const std::vector<std::string>& sets = {},
                        const std::string& extra = "") {
  return load_scenario_string("model: megatron-gpt-1.7b\ncluster: dgx-a100-80gb\ntraining: {global_batch: " +
                                  std::to_string(global_batch) + "}\n" + extra,
                              "minimal.yaml", sets, z);
}

// A global batch the default layout (dp = every GPU of the card) divides.
int valid_global_batch(const Zoo& z) { return built_in_code(z, 0).gpus * 4; }

}  // namespace

TEST_CASE("a Scenario built in code equals one loaded from a YAML of only the required keys") {
  Zoo z = zoo();
  const int global_batch = valid_global_batch(z);
  Scenario built = built_in_code(z, global_batch);
  Scenario loaded = loaded_minimal(z, global_batch);
  CHECK(loaded.nodes == built.nodes);
  CHECK(loaded.gpus == built.gpus);
  CHECK(loaded.parallel == built.parallel);
  CHECK(loaded.training.overlap == built.training.overlap);
  CHECK(loaded.training == built.training);
  CHECK(loaded.offload.aio == built.offload.aio);
  CHECK(loaded.offload == built.offload);
  CHECK(loaded.memory == built.memory);
  CHECK(loaded.network == built.network);
  // Field by field for the values the review found disagreeing (a message that names them).
  CHECK(loaded.memory.cuda_context == built.memory.cuda_context);
  CHECK(loaded.memory.allocator_overhead == built.memory.allocator_overhead);
  CHECK(loaded.memory.reduce_bucket_elements == built.memory.reduce_bucket_elements);
  CHECK(loaded.training.host_dispatch_s == built.training.host_dispatch_s);
}

TEST_CASE("the defaults comparison sees every group of fields") {
  // The comparisons above are the structs' defaulted operator==: a change to
  // any one field makes them differ (so a default that drifts cannot pass).
  Zoo z = zoo();
  Scenario built = built_in_code(z, 0);
  Scenario other = built;
  other.memory.cuda_context = Bytes(0);
  CHECK_FALSE(other.memory == built.memory);
  other = built;
  other.training.overlap.grad_clip = !built.training.overlap.grad_clip;
  CHECK_FALSE(other.training == built.training);
  other = built;
  other.offload.aio.block_size = Bytes(4096);
  CHECK_FALSE(other.offload == built.offload);
  other = built;
  other.parallel.order = parse_rank_order("dp-tp-cp-pp");
  CHECK_FALSE(other.parallel == built.parallel);
  other = built;
  other.network.protocol = NcclProto::simple;
  CHECK_FALSE(other.network == built.network);
}

TEST_CASE("enum names: to_string, the key table's choices and the loader agree") {
  Zoo z = zoo();
  const int gb = valid_global_batch(z);
  for (const auto& [name, value] : EnumTable<Recompute>::names) {
    CHECK(std::string(to_string(value)) == name);
    CHECK(loaded_minimal(z, gb, {std::string("training.recompute=") + name}).training.recompute == value);
  }
  for (const auto& [name, value] : EnumTable<NcclProto>::names) {
    const Scenario s = loaded_minimal(z, gb, {std::string("network.protocol=") + name});
    REQUIRE(s.network.protocol.has_value());
    CHECK(*s.network.protocol == value);
  }
  CHECK_FALSE(loaded_minimal(z, gb, {"network.protocol=auto"}).network.protocol.has_value());
  CHECK(enum_value<Schedule>("interleaved-1f1b") == Schedule::interleaved_1f1b);
  CHECK_FALSE(enum_value<Schedule>("interleaved").has_value());
  CHECK(forcible_algorithms() == std::vector<std::string>{"auto", "ring", "tree", "nvls", "hierarchical"});
}

TEST_CASE("a bad parallel.order is a ConfigError at the scenario's line") {
  Zoo z = zoo();
  CHECK(to_string(loaded_minimal(z, valid_global_batch(z), {"parallel.order=dp-tp-pp-cp"}).parallel.order) ==
        "dp-tp-pp-cp");
  try {
    loaded_minimal(z, valid_global_batch(z), {}, "parallel: {order: tp-dp-pp}\n");
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(e.where().key == "parallel.order");
    CHECK(e.where().line == 4);
    CHECK(e.message().find("it names 3 of the four") != std::string::npos);
  }
}

TEST_CASE("a cluster card that leaves out the defaulted keys equals the struct's defaults (card_defaults.hpp)") {
  // The DGX A100 card without the five keys whose struct fields start at a
  // real value; the loader must fill each with the struct's initialiser.
  Zoo z = zoo();
  std::ifstream in(z.root() / "topologies" / "dgx-a100-80gb.yaml");
  std::string card, line;
  while (std::getline(in, line)) {
    bool drop = false;
    for (const char* key : {"pinned_efficiency:", "pageable_factor:", "nvme_drives:", "cpu_adam_throughput:",
                            "oversubscription:", "nvme_per_switch:"})  // drives behind PCIe switches need the drives
      drop = drop || line.find(std::string("  ") + key) != std::string::npos;
    if (line.starts_with("assumed:")) line = "assumed: \"\"";
    if (!drop) card += line + "\n";
  }
  const ClusterSpec loaded = load_cluster_card_string(card, "dgx-a100-80gb-without-defaults.yaml", z);
  const ClusterSpec built;
  CHECK(loaded.node.pcie.pinned_efficiency == built.node.pcie.pinned_efficiency);
  CHECK(loaded.node.pcie.pageable_factor == built.node.pcie.pageable_factor);
  CHECK(loaded.node.nvme_drives == built.node.nvme_drives);
  CHECK(loaded.node.cpu_adam_rate == built.node.cpu_adam_rate);
  CHECK(loaded.fabric.oversubscription == built.fabric.oversubscription);
  // And the card's own values differ from the defaults, so the comparison can fail.
  const ClusterSpec full = load_cluster_card((z.root() / "topologies" / "dgx-a100-80gb.yaml").string(), z);
  CHECK(full.node.nvme_drives != built.node.nvme_drives);
  CHECK(full.node.cpu_adam_rate != built.node.cpu_adam_rate);
}
