// Hierarchical collectives (intra-node, inter-node, intra-node NCCL calls):
// the analytical and flow modes agree when nothing contends, the flow mode's
// fabric traffic per GPU is the algorithm's volume, and NCCL's tuner never
// picks it unless forced.
#include <doctest/doctest.h>

#include <numeric>

#include "sim/load/hardware_loader.hpp"
#include "tests/test_util.hpp"
#include "sim/net/collective_flow.hpp"
#include "sim/net/collective_hierarchical.hpp"

using namespace trainsim;

namespace {

using test::card;

using test::first;

constexpr CollectiveOp kOps[] = {CollectiveOp::all_reduce, CollectiveOp::all_gather, CollectiveOp::reduce_scatter};

FlowCollectiveResult flow(const Topology& t, CollectiveOp op, int gpus, double bytes, std::optional<NcclAlgo> algo) {
  return simulate_collectives(t, {{op, first(gpus), bytes}}, algo)[0];
}

}  // namespace

TEST_CASE("hierarchical all-reduce is three NCCL calls on the right sub-communicators") {
  ClusterSpec c = card("dgx-h100-80gb");
  auto phases = hierarchical_phases(c, {CollectiveOp::all_reduce, 32, 1e9, NcclAlgo::hierarchical, std::nullopt});
  REQUIRE(phases.size() == 3);
  CHECK(phases[0].op == CollectiveOp::reduce_scatter);
  CHECK((!phases[0].inter_node && phases[0].ranks == 8 && phases[0].bytes == 1e9));
  CHECK(phases[1].op == CollectiveOp::all_reduce);
  CHECK((phases[1].inter_node && phases[1].ranks == 4 && phases[1].nodes == 4 && phases[1].bytes == 1e9 / 8));
  CHECK(phases[2].op == CollectiveOp::all_gather);
  // One GPU per node: only the inter-node call is left.
  auto rail = hierarchical_phases(c, {CollectiveOp::reduce_scatter, 4, 1e9, NcclAlgo::hierarchical, std::nullopt}, 4);
  REQUIRE(rail.size() == 1);
  CHECK(rail[0].inter_node);
  CollectiveResult r = predict_collective(c, {CollectiveOp::all_reduce, 32, 1e9, NcclAlgo::hierarchical, std::nullopt});
  CHECK(r.algorithm == "hierarchical");
  CHECK(r.time_s == doctest::Approx(phases[0].result.time_s + phases[1].result.time_s + phases[2].result.time_s));
}

TEST_CASE("NCCL's tuner picks hierarchical only when forced") {
  for (const char* name : {"dgx-a100-80gb", "dgx-h100-80gb", "jeanzay-a100-80gb"}) {
    ClusterSpec c = card(name);
    for (CollectiveOp op : kOps)
      for (double bytes = 1024; bytes <= 8.0 * (1 << 30); bytes *= 32) {
        CAPTURE(name);
        CAPTURE(bytes);
        CHECK(predict_collective(c, {op, 32, bytes, std::nullopt, std::nullopt}).algorithm != "hierarchical");
        CHECK(predict_collective(c, {op, 32, bytes, NcclAlgo::hierarchical, std::nullopt}).algorithm == "hierarchical");
      }
  }
  ClusterSpec c = card("dgx-h100-80gb");
  CHECK_THROWS_AS(predict_collective(c, {CollectiveOp::all_reduce, 8, 1e6, NcclAlgo::hierarchical, std::nullopt}),
                  UnsupportedCollective);  // one node
  CHECK_THROWS_AS(predict_collective(c, {CollectiveOp::broadcast, 16, 1e6, NcclAlgo::hierarchical, std::nullopt}),
                  UnsupportedCollective);
  CHECK_THROWS_AS(predict_collective(c, {CollectiveOp::all_reduce, 12, 1e6, NcclAlgo::hierarchical, std::nullopt}, 5),
                  UnsupportedCollective);  // 12 GPUs over 5 nodes
}

TEST_CASE("hierarchical: flow mode equals the analytical mode when nothing contends") {
  for (const char* name : {"dgx-a100-80gb", "dgx-h100-80gb", "jeanzay-a100-80gb"}) {
    ClusterSpec c = card(name);
    auto topo = build_topology(c, 4);
    for (CollectiveOp op : kOps)
      for (double bytes : {1e3, 1e6, 1e9}) {
        CAPTURE(name);
        CAPTURE(to_string(op));
        CAPTURE(bytes);
        double analytic = predict_collective(c, {op, 32, bytes, NcclAlgo::hierarchical, std::nullopt}, 4).time_s;
        FlowCollectiveResult f = flow(*topo, op, 32, bytes, NcclAlgo::hierarchical);
        CHECK(f.result.time_s == doctest::Approx(analytic).epsilon(1e-12));
        CHECK(f.stretch == doctest::Approx(1.0));
        CHECK(f.bytes_delivered == doctest::Approx(f.bytes_sent));
      }
  }
}

TEST_CASE("hierarchical: fabric traffic per GPU on a rail-optimized cluster is the algorithm's volume") {
  ClusterSpec c = card("dgx-h100-80gb");
  auto topo = build_topology(c, 4);
  const double S = 1e9, N = 4, p = 8, G = 32;
  // Hierarchical: only the inter-node call, S / p per local rank, leaves the node.
  CHECK(flow(*topo, CollectiveOp::all_reduce, 32, S, NcclAlgo::hierarchical).network_bytes_per_gpu ==
        doctest::Approx(2 * (N - 1) / N * S / p));
  CHECK(flow(*topo, CollectiveOp::all_gather, 32, S, NcclAlgo::hierarchical).network_bytes_per_gpu ==
        doctest::Approx((N - 1) / N * S / p));
  CHECK(flow(*topo, CollectiveOp::reduce_scatter, 32, S, NcclAlgo::hierarchical).network_bytes_per_gpu ==
        doctest::Approx((N - 1) / N * S / p));
  // NCCL's flat ring: every channel crosses each node boundary once per step.
  CHECK(flow(*topo, CollectiveOp::all_reduce, 32, S, NcclAlgo::ring).network_bytes_per_gpu ==
        doctest::Approx(2 * (G - 1) / G * S / p));
}

TEST_CASE("hierarchical: two groups sharing NICs slow each other in the inter-node call only") {
  // Jean Zay: GPUs 2k and 2k+1 share a NIC, so two 4-node groups on local
  // ranks {0,2,4,6} and {1,3,5,7} meet on every NIC in the inter-node call.
  ClusterSpec c = card("jeanzay-a100-80gb");
  auto topo = build_topology(c, 4);
  auto group = [](int parity) {
    std::vector<int> g;
    for (int n = 0; n < 4; ++n)
      for (int l = parity; l < 8; l += 2) g.push_back(8 * n + l);
    return g;
  };
  const double S = 4e9;
  auto both =
      simulate_collectives(*topo, {{CollectiveOp::all_reduce, group(0), S}, {CollectiveOp::all_reduce, group(1), S}},
                           NcclAlgo::hierarchical);
  auto alone = simulate_collectives(*topo, {{CollectiveOp::all_reduce, group(0), S}}, NcclAlgo::hierarchical)[0];
  auto phases = hierarchical_phases(c, {CollectiveOp::all_reduce, 16, S, NcclAlgo::hierarchical, std::nullopt}, 4);
  double inter_bytes_s = phases[1].result.time_s - phases[1].result.latency_s;
  for (const auto& r : both) {
    // The inter-node call's byte time doubles, the intra-node calls (NVSwitch) are untouched.
    CHECK(r.result.time_s - alone.result.time_s == doctest::Approx(inter_bytes_s).epsilon(0.03));
    CHECK(r.bytes_delivered == doctest::Approx(r.bytes_sent));
  }
}
