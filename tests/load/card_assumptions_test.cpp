// Cluster cards mark the values that are assumptions (the `assumed` key and the
// key table's assumed defaults), the loader reads them into
// ClusterSpec::assumptions, and run_assumptions() keeps those a scenario's
// step reads (sim/spec/run_assumptions.hpp). Also the DGX A100 host facts
// (docs/reference/hardware.md §2.1, §4f).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/load/hardware_loader.hpp"
#include "sim/spec/run_assumptions.hpp"
#include "tests/test_util.hpp"

using namespace trainsim;
using trainsim::test::card;
using trainsim::test::error_of;
using trainsim::test::has;

namespace {

const CardAssumption* find(const std::vector<CardAssumption>& v, const std::string& key) {
  auto it = std::find_if(v.begin(), v.end(), [&](const CardAssumption& a) { return a.key == key; });
  return it == v.end() ? nullptr : &*it;
}

// A minimal card: the required keys, plus `extra` lines at the top level.
std::string card_yaml(const std::string& extra) {
  return "name: tiny\n" + extra +
         "nodes: 2\n"
         "node:\n"
         "  gpus: 8\n"
         "  gpu: a100-sxm4-80gb\n"
         "  host_memory: \"1TB\"\n"
         "  host_memory_bandwidth: \"400GB/s\"\n"
         "  pcie: {switches: 4, gpus_per_switch: 2, nics_per_switch: 2, switches_per_cpu: 2, bandwidth: \"32GB/s\"}\n"
         "  nics: {count: 8, bandwidth: \"200Gbps\"}\n"
         "fabric: {nodes_per_unit: 2, pod_nodes: 2}\n";
}

ClusterSpec tiny(const std::string& extra) {
  return load_cluster_card_string(card_yaml(extra), "tiny.yaml", trainsim::test::zoo());
}

const std::vector<std::string> kCards = {"aws-p4d-a100-40gb",
                                         "aws-p4de-a100-80gb",
                                         "dgx-a100-40gb",
                                         "dgx-a100-80gb",
                                         "deepseek-h800-ib",
                                         "dgx-h100-80gb",
                                         "dgx-h200-141gb",
                                         "gcp-a3-high-h100-80gb",
                                         "gcp-a3-mega-h100-80gb",
                                         "grandteton-h100-80gb-roce",
                                         "grandteton-h100-96gb-roce",
                                         "jeanzay-a100-80gb",
                                         "pcie-a100-80gb",
                                         "vtrain-a100"};

}  // namespace

TEST_CASE("cards: DGX A100 640GB has 2 TB of host memory, the 320GB system 1 TB") {
  // NVIDIA's DGX A100 datasheet (docs/reference/hardware.md §2.1 [S55]).
  CHECK(card("dgx-a100-80gb").node.host_memory.value() == doctest::Approx(2e12));
  CHECK(card("dgx-a100-40gb").node.host_memory.value() == doctest::Approx(1e12));
}

TEST_CASE("cards: H800 is H100 SXM5 compute and memory with NVLink cut to 400 GB/s bidirectional") {
  // docs/reference/hardware.md §1.4 and §3.4: DeepSeek-V3's cluster, 2,048 H800 in nodes of 8,
  // 8 x 400 Gb/s InfiniBand per node, NVLink 400 GB/s both ways = 200 GB/s per direction.
  const ClusterSpec h800 = card("deepseek-h800-ib"), h100 = card("dgx-h100-80gb");
  CHECK(h800.node.gpu.name == "h800-sxm5-80gb");
  CHECK(h800.node.gpu.peak_bf16.value() == doctest::Approx(h100.node.gpu.peak_bf16.value()));
  CHECK(h800.node.gpu.hbm.value() == doctest::Approx(h100.node.gpu.hbm.value()));
  CHECK(h800.node.nvswitch.bandwidth.value() == doctest::Approx(200e9));
  CHECK(h800.node.nvswitch.bandwidth.value() * 2 ==
        doctest::Approx(h100.node.nvswitch.bandwidth.value() * 2 * 400 / 900));
  CHECK(h800.nodes * h800.node.gpus == 2048);
  CHECK(h800.node.nics.count == 8);
  CHECK(h800.node.nics.bandwidth.value() == doctest::Approx(400e9 / 8));
}

TEST_CASE("cards: CPU-Adam on x86 hosts is not the Grace figure, and is marked assumed") {
  // Every shipped card has x86 CPUs (EPYC or Xeon); the Grace measurement of
  // §4f (0.1 s per billion parameters) does not apply. Their figure is the
  // §4f memory-traffic derivation: 28 B of DRAM traffic per parameter at half
  // of the card's host_memory_bandwidth.
  for (const std::string& name : kCards) {
    CAPTURE(name);
    const ClusterSpec c = card(name);
    CHECK(c.node.cpu_adam_rate != doctest::Approx(10e9));
    CHECK(c.node.cpu_adam_rate == doctest::Approx(c.node.host_memory_bandwidth.value() / 28 * 0.5).epsilon(0.02));
    const CardAssumption* a = find(c.assumptions, "node.cpu_adam_throughput");
    REQUIRE(a != nullptr);
    CHECK_FALSE(a->defaulted);
  }
}

TEST_CASE("cards: the assumed list and the assumed defaults, in key order") {
  const ClusterSpec c = card("dgx-a100-80gb");
  const CardAssumption* cpu = find(c.assumptions, "node.cpu_adam_throughput");
  REQUIRE(cpu != nullptr);
  CHECK(cpu->value == "7.3B");  // as written in the card
  // Left to the key table, whose default is an assumption:
  const CardAssumption* aio = find(c.assumptions, "node.aio_submit_latency");
  REQUIRE(aio != nullptr);
  CHECK(aio->defaulted);
  CHECK(aio->value == "5us");
  // A datasheet figure is not listed.
  CHECK(find(c.assumptions, "node.nics.bandwidth") == nullptr);
  CHECK(find(c.assumptions, "node.host_memory") == nullptr);

  const ClusterSpec t = tiny("assumed: \" node.nics.latency ,node.host_memory\"\n");
  REQUIRE(find(t.assumptions, "node.host_memory") != nullptr);
  CHECK(find(t.assumptions, "node.host_memory")->value == "1TB");
  CHECK(find(t.assumptions, "node.nics.latency") != nullptr);
  // The card's key order, not the list's.
  auto pos = [&](const std::string& k) { return find(t.assumptions, k) - t.assumptions.data(); };
  CHECK(pos("node.host_memory") < pos("node.nics.latency"));
}

TEST_CASE("cards: an assumed entry that is not a card value is an error at `assumed`") {
  const std::string e = error_of([] { tiny("assumed: \"node.host_memroy\"\n"); });
  CHECK(has(e, "tiny.yaml:2: assumed:"));
  CHECK(has(e, "'node.host_memroy'"));
  CHECK(has(e, "did you mean 'node.host_memory'"));
  CHECK(has(error_of([] { tiny("assumed: \"name\"\n"); }), "'name' is not a card value"));
}

// The H100 SXM5 96 GB HBM2e at 500 W of Meta's Grand Teton hosts (docs/reference/hardware.md §1.3):
// torchtitan's stated memory, bandwidth and network; a BF16 peak between the H100 NVL (835 TF at
// 400 W) and the H100 SXM (989 TF at 700 W), as the TorchTitan paper bounds it, marked assumed.
TEST_CASE("cards: H100 SXM5 96 GB HBM2e at 500 W and its Grand Teton cluster") {
  const ClusterSpec c = card("grandteton-h100-96gb-roce");
  const GpuSpec& g = c.node.gpu;
  CHECK(g.name == "h100-sxm5-96gb-hbm2e-500w");
  CHECK(g.hbm.value() == doctest::Approx(96e9));
  CHECK(g.hbm_bandwidth.value() == doctest::Approx(2.4e12));
  CHECK(g.sms == 132);
  CHECK(g.peak_bf16.value() > 835e12);
  CHECK(g.peak_bf16.value() < 989e12);
  // The clock a 500 W limit sustains, linear in power between the two datasheet parts.
  const double flop_per_clock = 528.0 * 1024, nvl_mhz = 835e12 / flop_per_clock / 1e6, sxm_mhz = 1830;
  const double mhz = nvl_mhz + (500.0 - 400.0) / (700.0 - 400.0) * (sxm_mhz - nvl_mhz);
  CHECK(g.peak_bf16.value() == doctest::Approx(mhz * 1e6 * flop_per_clock).epsilon(0.002));
  REQUIRE(g.peak_fp8.has_value());
  CHECK(g.peak_fp8->value() == doctest::Approx(2 * g.peak_bf16.value()).epsilon(0.002));
  CHECK(arch_of(g) == GpuArch::hopper);
  for (const char* key : {"peak.bf16", "peak.fp16", "peak.fp8", "peak.tf32", "peak.fp32"}) {
    CAPTURE(key);
    CHECK(find(g.assumptions, key) != nullptr);
    CHECK(find(c.assumptions, std::string("node.gpu.") + key) != nullptr);  // the cluster says so too
  }
  CHECK(find(g.assumptions, "hbm") == nullptr);  // stated by torchtitan, not derived
  // 400 Gb/s RoCE per GPU, the structure of the 80 GB Grand Teton card.
  const ClusterSpec base = card("grandteton-h100-80gb-roce");
  CHECK(c.node.nics.count == c.node.gpus);
  CHECK(c.node.nics.bandwidth.value() == doctest::Approx(400e9 / 8));
  CHECK(c.fabric.kind == base.fabric.kind);
  CHECK(c.fabric.pod_nodes == base.fabric.pod_nodes);
  CHECK(c.nodes == base.nodes);
  CHECK(base.node.gpu.assumptions.empty());  // datasheet cards derive nothing
}

TEST_CASE("GPU cards: an assumed entry that is not a card value is an error at `assumed`") {
  const std::string yaml =
      "name: g\nsms: 132\npeak: {fp32: 67TFLOPS, tf32: 494TFLOPS, fp16: 989TFLOPS, bf16: 989TFLOPS}\n"
      "hbm: 80GiB\nhbm_bandwidth: 3350GB/s\nassumed: \"peak.bf17\"\n";
  const std::string e = error_of([&] { load_gpu_card_string(yaml, "g.yaml"); });
  CHECK(has(e, "g.yaml:6: assumed: 'peak.bf17' is not a card value"));
  CHECK(has(e, "did you mean 'peak.bf16'"));
}

TEST_CASE("run assumptions: only the card values the step reads") {
  auto keys = [](const Scenario& s) {
    std::vector<std::string> out;
    for (const CardAssumption& a : run_assumptions(s).card) out.push_back(a.key);
    return out;
  };
  auto has_key = [](const std::vector<std::string>& v, const std::string& k) {
    return std::find(v.begin(), v.end(), k) != v.end();
  };
  const std::string base =
      "model: megatron-gpt-1.7b\ncluster: dgx-a100-80gb\nnodes: 1\n"
      "training: {seq_len: 2048, micro_batch: 1, global_batch: 8}\n";
  const auto plain = keys(trainsim::test::scenario(base));
  CHECK_FALSE(has_key(plain, "node.cpu_adam_throughput"));
  CHECK_FALSE(has_key(plain, "node.host_memory_bandwidth"));
  CHECK_FALSE(has_key(plain, "node.nics.latency"));  // one node: no network
  CHECK(has_key(plain, "node.nvswitch.latency"));

  const auto cpu = keys(trainsim::test::scenario(base, {"parallel.zero_stage=2", "offload.optimizer=cpu"}));
  CHECK(has_key(cpu, "node.cpu_adam_throughput"));
  CHECK(has_key(cpu, "node.host_memory_bandwidth"));
  CHECK_FALSE(has_key(cpu, "node.nvme_latency"));
  // A scenario that gives its own CPU-Adam rate does not depend on the card's.
  CHECK_FALSE(has_key(keys(trainsim::test::scenario(
                          base, {"parallel.zero_stage=2", "offload.optimizer=cpu", "offload.cpu_adam_throughput=5B"})),
                      "node.cpu_adam_throughput"));

  const auto nvme = keys(trainsim::test::scenario(base, {"parallel.zero_stage=3", "offload.optimizer=nvme"}));
  CHECK(has_key(nvme, "node.nvme_latency"));
  CHECK(has_key(nvme, "node.aio_submit_latency"));

  const auto ib = keys(trainsim::test::scenario(base, {"nodes=2", "training.global_batch=16"}));
  CHECK(has_key(ib, "node.nics.latency"));
  CHECK(has_key(ib, "fabric.pod_nodes"));
  CHECK_FALSE(has_key(ib, "node.ethernet.latency"));
  const auto sock = keys(
      trainsim::test::scenario(base, {"nodes=2", "training.global_batch=16", "network.nccl_env.NCCL_IB_DISABLE=1"}));
  CHECK(has_key(sock, "node.ethernet.latency"));
  CHECK(has_key(sock, "node.ethernet.count"));
  CHECK_FALSE(has_key(sock, "node.nics.latency"));
}

TEST_CASE("run assumptions: the loader's resolved defaults come along") {
  const std::string yaml =
      "model: megatron-gpt-1.7b\ncluster: dgx-a100-80gb\nnodes: 1\ntraining: {micro_batch: 1, global_batch: 8}\n";
  const RunAssumptions a = run_assumptions(trainsim::test::scenario(yaml));
  REQUIRE(a.imports.size() == 1);
  CHECK(has(a.imports[0], "training.seq_len not given"));
}

TEST_CASE("memory assumptions: only the capacities the memory verdict compares against") {
  // aws-p4d-a100-40gb assumes its host memory and NVMe capacity (no datasheet figure).
  const Scenario s = trainsim::test::scenario(
      "model: megatron-gpt-1.7b\ncluster: aws-p4d-a100-40gb\nnodes: 1\n"
      "parallel: {zero_stage: 3}\ntraining: {seq_len: 2048, micro_batch: 1, global_batch: 8}\n"
      "offload: {optimizer: nvme}\n");
  std::vector<std::string> mem;
  for (const CardAssumption& a : memory_assumptions(s).card) mem.push_back(a.key);
  CHECK(mem == std::vector<std::string>{"node.host_memory", "node.nvme_capacity"});
  const RunAssumptions run = run_assumptions(s);
  CHECK(find(run.card, "node.cpu_adam_throughput") != nullptr);
  CHECK(find(run.card, "node.nvme_read") != nullptr);
}
