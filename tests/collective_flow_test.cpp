// Flow-mode collectives: one suite of expectations run against both modes
// (analytical and flow must agree when nothing contends), then contention:
// a shared NIC halves two all-reduces, an oversubscribed core slows
// cross-pod traffic by the oversubscription factor; bytes are conserved and
// runs are identical.
#include <doctest/doctest.h>

#include <numeric>

#include "sim/config/hardware_loader.hpp"
#include "sim/net/collective_flow.hpp"

using namespace trainsim;

namespace {

ClusterSpec card(const std::string& name) {
  Zoo zoo(TRAINSIM_DEFAULT_DATA_DIR);
  return load_cluster_card((zoo.root() / "topologies" / (name + ".yaml")).string(), zoo);
}

std::vector<int> first(int n) {
  std::vector<int> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

enum class Mode { analytical, flow };

// busbw (GB/s) of one all-reduce on the first `gpus` GPUs, in either mode.
double busbw(Mode mode, const ClusterSpec& c, int gpus, double bytes) {
  double t = 0;
  if (mode == Mode::analytical) {
    t = predict_collective(c, {CollectiveOp::all_reduce, gpus, bytes, std::nullopt, std::nullopt}).time_s;
  } else {
    auto topo = build_topology(c, (gpus + c.node.gpus - 1) / c.node.gpus);
    t = simulate_collectives(*topo, {{CollectiveOp::all_reduce, first(gpus), bytes}})[0].result.time_s;
  }
  return bytes / t / 1e9 * busbw_factor(CollectiveOp::all_reduce, gpus);
}

}  // namespace

TEST_CASE("the same expectations hold in both modes") {
  for (Mode mode : {Mode::analytical, Mode::flow}) {
    CAPTURE(static_cast<int>(mode));
    CHECK(std::abs(busbw(mode, card("dgx-a100-80gb"), 64, 8.0 * (1 << 30)) / 192 - 1) < 0.10);
    CHECK(std::abs(busbw(mode, card("dgx-h100-80gb"), 64, 8.0 * (1 << 30)) / 380 - 1) < 0.10);
    CHECK(std::abs(busbw(mode, card("dgx-a100-80gb"), 8, 8.0 * (1 << 30)) / 231.58 - 1) < 0.10);
    CHECK(busbw(mode, card("jeanzay-a100-80gb"), 16, 8.0 * (1 << 30)) <= 50.0 + 1e-9);
  }
  // Alone, the flow mode's stretch is exactly 1: it equals the analytical answer.
  ClusterSpec c = card("dgx-h100-80gb");
  for (double bytes : {1e3, 1e6, 1e9})
    CHECK(busbw(Mode::flow, c, 32, bytes) == doctest::Approx(busbw(Mode::analytical, c, 32, bytes)));
}

TEST_CASE("two all-reduces forced through one NIC each get about half of it") {
  // Jean Zay: GPUs 0 and 1 sit behind the same PCIe switch and NIC.
  ClusterSpec c = card("jeanzay-a100-80gb");
  auto topo = build_topology(c, 2);
  std::vector<GroupCollective> both = {{CollectiveOp::all_reduce, {0, 8}, 1e9}, {CollectiveOp::all_reduce, {1, 9}, 1e9}};
  auto r = simulate_collectives(*topo, both);
  CHECK(r[0].stretch == doctest::Approx(2.0).epsilon(0.02));
  CHECK(r[1].stretch == doctest::Approx(2.0).epsilon(0.02));
  CHECK(r[0].bytes_delivered == doctest::Approx(r[0].bytes_sent));
  // Disjoint NICs: no contention.
  auto apart = simulate_collectives(*topo, {{CollectiveOp::all_reduce, {0, 8}, 1e9}, {CollectiveOp::all_reduce, {2, 10}, 1e9}});
  CHECK(apart[0].stretch == doctest::Approx(1.0));
}

TEST_CASE("an oversubscribed core slows cross-pod traffic by the oversubscription factor") {
  ClusterSpec c = card("grandteton-h100-80gb-roce");  // 1:7 above pods
  c.fabric.nodes_per_unit = 2;
  c.fabric.pod_nodes = 4;
  auto topo = build_topology(c, 8);  // 2 pods of 4 nodes
  // Every GPU of pod 0 pairs with the same GPU of pod 1: the pods' full injection crosses the core.
  std::vector<GroupCollective> pairs;
  for (int g = 0; g < 32; ++g) pairs.push_back({CollectiveOp::all_reduce, {g, 32 + g}, 1e9});
  auto r = simulate_collectives(*topo, pairs);
  for (const auto& x : r) CHECK(x.stretch == doctest::Approx(c.fabric.oversubscription).epsilon(0.05));
  // The same pairs inside one pod (pod 0's nodes 0-1 with 2-3) are not slowed.
  std::vector<GroupCollective> local;
  for (int g = 0; g < 16; ++g) local.push_back({CollectiveOp::all_reduce, {g, 16 + g}, 1e9});
  for (const auto& x : simulate_collectives(*topo, local)) CHECK(x.stretch == doctest::Approx(1.0).epsilon(0.01));
}

TEST_CASE("identical runs give identical results") {
  ClusterSpec c = card("dgx-a100-80gb");
  auto topo = build_topology(c, 4);
  std::vector<GroupCollective> reqs = {{CollectiveOp::all_gather, first(32), 3e8}, {CollectiveOp::reduce_scatter, {0, 9, 18, 27}, 1e8}};
  auto a = simulate_collectives(*topo, reqs);
  auto b = simulate_collectives(*topo, reqs);
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].result.time_s == b[i].result.time_s);
    CHECK(a[i].stretch >= 1.0);
  }
}
