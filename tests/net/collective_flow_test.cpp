// Flow-mode collectives: one suite of expectations run against both modes
// (analytical and flow must agree when nothing contends), then contention:
// a shared NIC halves two all-reduces, an oversubscribed core slows
// cross-pod traffic by the oversubscription factor; bytes are conserved and
// runs are identical.
#include <doctest/doctest.h>

#include <numeric>

#include "sim/load/hardware_loader.hpp"
#include "tests/test_util.hpp"
#include "sim/core/engine.hpp"
#include "sim/net/collective_flow.hpp"
#include "sim/net/flow_network.hpp"

using namespace trainsim;

namespace {

using test::card;

using test::first;

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

namespace {

struct Case {
  CollectiveOp op;
  std::optional<NcclAlgo> algo;
};

// Every op, and all-reduce with each of NCCL's algorithms it can run across nodes.
const Case kCases[] = {{CollectiveOp::all_reduce, std::nullopt},     {CollectiveOp::all_reduce, NcclAlgo::ring},
                       {CollectiveOp::all_reduce, NcclAlgo::tree},   {CollectiveOp::all_gather, std::nullopt},
                       {CollectiveOp::reduce_scatter, std::nullopt}, {CollectiveOp::broadcast, std::nullopt},
                       {CollectiveOp::reduce, std::nullopt},         {CollectiveOp::all_to_all, std::nullopt},
                       {CollectiveOp::send_recv, std::nullopt}};

}  // namespace

TEST_CASE("every op and algorithm: the flow mode equals the analytical mode alone, and conserves bytes") {
  for (const char* name : {"dgx-a100-80gb", "dgx-h100-80gb", "jeanzay-a100-80gb"}) {
    ClusterSpec c = card(name);
    auto topo = build_topology(c, 4);
    for (int gpus : {8, 32})
      for (const Case& k : kCases)
        for (double bytes : {1e3, 1e6, 1e9}) {
          CAPTURE(name);
          CAPTURE(gpus);
          CAPTURE(to_string(k.op));
          CAPTURE(bytes);
          CollectiveRequest req{k.op, gpus, bytes, k.algo, std::nullopt};
          CollectiveResult analytic = predict_collective(c, req, (gpus + 7) / 8);
          FlowCollectiveResult f = simulate_collectives(*topo, {{k.op, first(gpus), bytes}}, k.algo)[0];
          CHECK(f.result.time_s == analytic.time_s);
          CHECK(f.result.algorithm == analytic.algorithm);
          CHECK(f.stretch == 1.0);
          CHECK(f.bytes_delivered == doctest::Approx(f.bytes_sent));
          CHECK(f.bytes_sent > 0);
        }
  }
}

TEST_CASE("flow mode: fabric bytes per GPU are each algorithm's inter-node volume") {
  ClusterSpec c = card("dgx-h100-80gb");
  auto topo = build_topology(c, 4);
  const double S = 1e9, N = 4, n = 32;
  auto net = [&](CollectiveOp op, std::optional<NcclAlgo> algo) {
    return simulate_collectives(*topo, {{op, first(32), S}}, algo)[0].network_bytes_per_gpu;
  };
  // Double binary tree: S up and S down each of the N-1 inter-node edges (split over channels).
  CHECK(net(CollectiveOp::all_reduce, NcclAlgo::tree) == doctest::Approx(2 * (N - 1) * S / n));
  // Broadcast / reduce follow each channel's ring from (to) the root: N-1
  // node boundaries where the root is the GPU the ring enters node 0 through
  // (1 channel of 8: the one leaving through NIC 7), N where it is not.
  CHECK(net(CollectiveOp::broadcast, std::nullopt) == doctest::Approx((N - 1.0 / 8) * S / n));
  CHECK(net(CollectiveOp::reduce, std::nullopt) == doctest::Approx((N - 1.0 / 8) * S / n));
  // All-to-all: S / n to each of the n - 8 GPUs on other nodes.
  CHECK(net(CollectiveOp::all_to_all, std::nullopt) == doctest::Approx((n - 8) / n * S));
  // Send/recv to the next rank: N of the n sends cross a node boundary.
  CHECK(net(CollectiveOp::send_recv, std::nullopt) == doctest::Approx(N / n * S));
}

TEST_CASE("flow mode: no link above its capacity while a collective's step runs") {
  ClusterSpec c = card("jeanzay-a100-80gb");
  auto topo = build_topology(c, 2);
  for (const Case& k : kCases) {
    CAPTURE(to_string(k.op));
    CollectivePlan plan = plan_collective(*topo, {k.op, first(16), 1e8}, k.algo, std::nullopt);
    Engine engine;
    FlowNetwork net(engine, topo->links());
    int over = 0;
    auto check_links = [&] {
      for (size_t l = 0; l < topo->links().size(); ++l)
        over += net.link_load(static_cast<LinkId>(l)).value() > topo->links()[l].capacity.value() * (1 + 1e-9);
    };
    for (const Transfer& x : plan.phases[0].step)
      net.start(topo->route(x.src, x.dst, x.spread), Bytes(x.bytes), check_links);
    engine.run();
    CHECK(over == 0);
    CHECK(net.stats().flows_finished == plan.phases[0].step.size());
  }
}

TEST_CASE("every op: two groups forced through one NIC each take about twice as long") {
  // Jean Zay: GPUs 0 and 1 (and 8 and 9) share a PCIe switch and NIC.
  ClusterSpec c = card("jeanzay-a100-80gb");
  auto topo = build_topology(c, 2);
  for (const Case& k : kCases) {
    CAPTURE(to_string(k.op));
    std::vector<GroupCollective> both = {{k.op, {0, 8}, 1e9}, {k.op, {1, 9}, 1e9}};
    auto r = simulate_collectives(*topo, both, k.algo);
    for (const auto& x : r) CHECK(x.stretch == doctest::Approx(2.0).epsilon(0.02));
    auto apart = simulate_collectives(*topo, {{k.op, {0, 8}, 1e9}, {k.op, {2, 10}, 1e9}}, k.algo);
    CHECK(apart[0].stretch == doctest::Approx(1.0));
  }
}

TEST_CASE("two all-reduces forced through one NIC each get about half of it") {
  // Jean Zay: GPUs 0 and 1 sit behind the same PCIe switch and NIC.
  ClusterSpec c = card("jeanzay-a100-80gb");
  auto topo = build_topology(c, 2);
  std::vector<GroupCollective> both = {{CollectiveOp::all_reduce, {0, 8}, 1e9},
                                       {CollectiveOp::all_reduce, {1, 9}, 1e9}};
  auto r = simulate_collectives(*topo, both);
  CHECK(r[0].stretch == doctest::Approx(2.0).epsilon(0.02));
  CHECK(r[1].stretch == doctest::Approx(2.0).epsilon(0.02));
  CHECK(r[0].bytes_delivered == doctest::Approx(r[0].bytes_sent));
  // Disjoint NICs: no contention.
  auto apart =
      simulate_collectives(*topo, {{CollectiveOp::all_reduce, {0, 8}, 1e9}, {CollectiveOp::all_reduce, {2, 10}, 1e9}});
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
  std::vector<GroupCollective> reqs = {{CollectiveOp::all_gather, first(32), 3e8},
                                       {CollectiveOp::reduce_scatter, {0, 9, 18, 27}, 1e8}};
  auto a = simulate_collectives(*topo, reqs);
  auto b = simulate_collectives(*topo, reqs);
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].result.time_s == b[i].result.time_s);
    CHECK(a[i].stretch >= 1.0);
  }
}
