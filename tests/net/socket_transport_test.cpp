// NCCL's socket transport (network.transport: socket, NCCL_IB_DISABLE=1): the
// scenario keys that select it, the refusal on a card without Ethernet ports,
// and what the collective model gets from the card's Ethernet figures
// (sim/net/collective.hpp inter_node_gbps; docs/reference/hardware.md §4c.6).
#include <doctest/doctest.h>

#include <string>

#include "sim/net/collective.hpp"
#include "tests/test_util.hpp"

using namespace trainsim;
using trainsim::test::card;
using trainsim::test::error_of;
using trainsim::test::has;

namespace {

const std::string kBase =
    "model: megatron-gpt-1.7b\ncluster: dgx-a100-80gb\nnodes: 2\n"
    "training: {seq_len: 2048, micro_batch: 1, global_batch: 16}\n";

NetTransport transport(const std::vector<std::string>& sets, const std::string& yaml = kBase) {
  return trainsim::test::scenario(yaml, sets).cluster.transport.kind;
}

ClusterSpec socket_card(int threads = 1, int socks = 1) {
  ClusterSpec c = card("dgx-a100-80gb");
  c.transport = {NetTransport::socket, threads, socks};
  return c;
}

}  // namespace

TEST_CASE("socket transport: every spelling selects it") {
  CHECK(transport({}) == NetTransport::ib);
  CHECK(transport({"network.transport=socket"}) == NetTransport::socket);
  CHECK(transport({"network.nccl_env.NCCL_IB_DISABLE=1"}) == NetTransport::socket);
  CHECK(transport({"network.nccl_env.NCCL_NET=Socket"}) == NetTransport::socket);
  CHECK(transport({"network.nccl_env.NCCL_IB_DISABLE=0"}) == NetTransport::ib);
  CHECK(transport({}, kBase + "network: {nccl_env: {NCCL_IB_DISABLE: 1}}\n") == NetTransport::socket);
  const Scenario s =
      trainsim::test::scenario(kBase, {"network.transport=socket", "network.nccl_env.NCCL_SOCKET_NTHREADS=4",
                                       "network.nccl_env.NCCL_NSOCKS_PERTHREAD=2"});
  CHECK(s.cluster.transport.socket_threads == 4);
  CHECK(s.cluster.transport.socks_per_thread == 2);
}

TEST_CASE("socket transport: contradictions and a card without Ethernet are errors at the key") {
  CHECK(has(error_of([] {
              transport({"network.transport=ib", "network.nccl_env.NCCL_IB_DISABLE=1"});
            }),
            "network.transport: ib contradicts network.nccl_env.NCCL_IB_DISABLE"));
  CHECK(has(error_of([] {
              transport({"network.nccl_env.NCCL_NET=IB", "network.nccl_env.NCCL_IB_DISABLE=1"});
            }),
            "network.nccl_env.NCCL_NET: IB contradicts NCCL_IB_DISABLE=1"));
  const std::string p4d =
      "model: megatron-gpt-1.7b\ncluster: aws-p4d-a100-40gb\nnodes: 2\n"
      "training: {seq_len: 2048, micro_batch: 1, global_batch: 16}\n"
      "network: {nccl_env: {NCCL_IB_DISABLE: 1}}\n";
  const std::string e = error_of([&] { transport({}, p4d); });
  CHECK(has(e, "test.yaml:5: network.nccl_env.NCCL_IB_DISABLE:"));
  CHECK(has(e, "aws-p4d-a100-40gb"));
  CHECK(has(e, "node.ethernet.count and node.ethernet.bandwidth"));
  // NCCL caps threads x sockets at 64 (net_socket.cc MAX_SOCKETS) by lowering the per-thread count.
  const Scenario capped =
      trainsim::test::scenario(kBase, {"network.transport=socket", "network.nccl_env.NCCL_SOCKET_NTHREADS=16",
                                       "network.nccl_env.NCCL_NSOCKS_PERTHREAD=8"});
  CHECK(capped.cluster.transport.socks_per_thread == 4);
  CHECK(has(capped.imports.warnings.at(0), "NCCL lowers NCCL_NSOCKS_PERTHREAD to 4"));
}

TEST_CASE("socket transport: the node's Ethernet ports at half line rate, or its TCP streams") {
  // DGX A100 640GB: 8 x 200 Gb/s HDR NICs; 4 x 200 Gb/s Ethernet ports
  // (datasheet, docs/reference/hardware.md §2.1). IB moves 8 x 25 = 200 GB/s per
  // node; the socket transport half the ports' 4 x 25 = 100 GB/s (§4c.6).
  CHECK(inter_node_gbps(card("dgx-a100-80gb"), 8, 16) == doctest::Approx(200));
  CHECK(inter_node_gbps(socket_card(4), 8, 16) == doctest::Approx(50));
  // A group that uses one NIC slot of eight gets an eighth of the ports.
  CHECK(inter_node_gbps(socket_card(4), 1, 2) == doctest::Approx(50.0 / 8));
  // Default NCCL_SOCKET_NTHREADS=1, NCCL_NSOCKS_PERTHREAD=1: 16 connections of
  // one 20 Gb/s stream each (node.ethernet.stream_bandwidth default) = 40 GB/s.
  CHECK(inter_node_gbps(socket_card(1, 1), 8, 16) == doctest::Approx(16 * 2.5));
  CHECK(inter_node_gbps(socket_card(1, 2), 8, 16) == doctest::Approx(50));
}

TEST_CASE("socket transport: large all-reduces slow by the bandwidth ratio, small ones by TCP latency") {
  // 32 GPUs on 4 nodes: inter-node bound. 4 GiB: the time is bandwidth, so the
  // ratio approaches 200 / 50 GB/s = 4 (latency and launch take the rest).
  CollectiveRequest big{CollectiveOp::all_reduce, 32, 4.0 * (1 << 30), std::nullopt, std::nullopt};
  const double ib = predict_collective(card("dgx-a100-80gb"), big, 4).time_s;
  const double sock = predict_collective(socket_card(4), big, 4).time_s;
  CHECK(sock / ib > 3.5);
  CHECK(sock / ib <= 4.0 + 1e-9);
  // 8 bytes: latency only; TCP adds node.ethernet.latency (10 us) per inter-node step.
  CollectiveRequest tiny{CollectiveOp::all_reduce, 32, 8, std::nullopt, std::nullopt};
  const double ib_small = predict_collective(card("dgx-a100-80gb"), tiny, 4).time_s;
  const double sock_small = predict_collective(socket_card(4), tiny, 4).time_s;
  CHECK(sock_small - ib_small >= 10e-6);
}
