// The cluster card's latency keys drive the collective model (issue 25: they
// were read and then ignored). NCCL's tuner adds a hardware latency per step of
// the path a step crosses (hwLatencies[NVLINK | PCI | NET], src/graph/tuning.cc,
// docs/reference/hardware.md §4c.4 [S1]); a card whose links are slower than the
// shipped cards' pays the difference on every step. Physics: a slower link never
// makes a collective or a step faster, and a latency-bound collective feels it.
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include "sim/net/collective.hpp"
#include "sim/workload/step_sim.hpp"
#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

struct Knob {
  const char* key;
  std::function<void(ClusterSpec&, double)> add;  // adds seconds to the key's value
};

const std::vector<Knob>& knobs() {
  static const std::vector<Knob> k{
      {"node.nvswitch.latency", [](ClusterSpec& c, double s) { c.node.nvswitch.latency += Seconds(s); }},
      {"node.pcie.latency", [](ClusterSpec& c, double s) { c.node.pcie.latency += Seconds(s); }},
      {"node.nics.latency", [](ClusterSpec& c, double s) { c.node.nics.latency += Seconds(s); }},
      {"fabric.switch_latency", [](ClusterSpec& c, double s) { c.fabric.switch_latency += Seconds(s); }},
  };
  return k;
}

double time_of(const ClusterSpec& c, CollectiveOp op, int ranks, double bytes) {
  return predict_collective(c, {op, ranks, bytes, std::nullopt, std::nullopt}).time_s;
}

}  // namespace

TEST_CASE("the shipped cards state the latencies NCCL's table stands for") {
  // Otherwise the shipped cards' predictions would differ from NCCL's tuner.
  for (const char* name : {"dgx-a100-80gb", "dgx-h100-80gb", "pcie-a100-80gb", "aws-p4d-a100-40gb"}) {
    const std::string card_name = name;
    CAPTURE(card_name);
    ClusterSpec c = test::card(name);
    for (double extra : card_latency_extra_us(c)) CHECK(extra == doctest::Approx(0).epsilon(1e-9));
  }
}

TEST_CASE("a larger card latency never makes a collective faster and slows a small one") {
  // 16 GPUs over two nodes cross NVLink (or PCIe) and the network; 8 GPUs stay on one node.
  for (const char* name : {"dgx-a100-80gb", "dgx-h100-80gb", "pcie-a100-80gb"}) {
    const ClusterSpec base = test::card(name);
    for (const Knob& k : knobs()) {
      const bool intra_key = std::string(k.key) == "node.nvswitch.latency" || std::string(k.key) == "node.pcie.latency";
      const bool relevant_intra = base.node.nvswitch.present() ? std::string(k.key) == "node.nvswitch.latency"
                                                               : std::string(k.key) == "node.pcie.latency";
      ClusterSpec slow = base;
      k.add(slow, 5e-6);
      for (CollectiveOp op : {CollectiveOp::all_reduce, CollectiveOp::all_gather, CollectiveOp::reduce_scatter,
                              CollectiveOp::all_to_all}) {
        for (int ranks : {8, 16}) {
          for (double bytes = 1024; bytes <= 4e9; bytes *= 8) {
            const std::string where = std::string(name) + " " + k.key + " " + to_string(op) + " " +
                                      std::to_string(ranks) + " GPUs " + std::to_string(bytes) + " B";
            CAPTURE(where);
            CHECK(time_of(slow, op, ranks, bytes) >= time_of(base, op, ranks, bytes));
          }
          // A 4 KB collective is latency-bound: a path it crosses 5 µs slower per step shows.
          // The point-to-point model (all-to-all) pays one step on the slowest path only: the network across nodes.
          const bool p2p = op == CollectiveOp::all_to_all;
          const bool crosses =
              ranks > base.node.gpus ? (p2p ? !intra_key : !intra_key || relevant_intra) : relevant_intra;
          if (crosses) {
            const std::string where =
                std::string(name) + " " + k.key + " " + to_string(op) + " " + std::to_string(ranks) + " GPUs";
            CAPTURE(where);
            CHECK(time_of(slow, op, ranks, 4096) > time_of(base, op, ranks, 4096) + 4e-6);
          }
        }
      }
    }
  }
}

TEST_CASE("a larger card latency never makes a step faster") {
  // Two H100 nodes, TP inside a node and data parallelism across: the step's
  // collectives cross NVLink and the network.
  Scenario s = test::scenario(
      "model: megatron-gpt-1.7b\ncluster: dgx-h100-80gb\nnodes: 2\nparallel: {tp: 2, pp: 1}\n"
      "training: {seq_len: 2048, micro_batch: 1, global_batch: 64, precision: bf16}\n");
  const double base = simulate_step(s).step_time_s.value();
  for (const Knob& k : knobs()) {
    const std::string key = k.key;
    CAPTURE(key);
    Scenario slow = s;
    k.add(slow.cluster, 20e-6);
    const double t = simulate_step(slow).step_time_s.value();
    CHECK(t >= base);
    if (std::string(k.key) != "node.pcie.latency") CHECK(t > base);  // NVLink and network steps are on the path
  }
}
