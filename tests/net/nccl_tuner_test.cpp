// NCCL's tuner model: the worked latencies of docs/reference/hardware.md §4c.5 reproduced
// exactly, and the choices and asymptotic bandwidths it implies.
#include <doctest/doctest.h>

#include "sim/net/nccl_tuner.hpp"

using namespace trainsim;

namespace {

NcclComm comm(NcclOp op, int nodes, GpuArch arch = GpuArch::hopper) {
  NcclComm c;
  c.op = op;
  c.nodes = nodes;
  c.ranks = 8 * nodes;
  c.arch = arch;
  return c;
}

}  // namespace

TEST_CASE("docs/reference/hardware.md §4c.5: latency terms, all-reduce") {
  struct Row {
    int nodes;
    double ring[3];  // LL, LL128, Simple
    double tree[3];
  };
  const Row rows[] = {
      {1, {15.0, 40.6, 56.0}, {15.2, 31.5, 64.4}},          {2, {40.0, 75.2, 131.6}, {25.2, 48.5, 92.4}},
      {4, {78.8, 144.4, 282.8}, {35.2, 65.5, 120.4}},       {16, {311.6, 559.6, 1190.0}, {55.2, 99.5, 176.4}},
      {64, {1242.8, 2220.4, 4818.8}, {75.2, 133.5, 232.4}},
  };
  const NcclProto protos[] = {NcclProto::ll, NcclProto::ll128, NcclProto::simple};
  for (const Row& r : rows) {
    CAPTURE(r.nodes);
    NcclComm c = comm(NcclOp::all_reduce, r.nodes);
    for (int p = 0; p < 3; ++p) {
      CHECK(nccl_latency_us(c, NcclAlgo::ring, protos[p]) == doctest::Approx(r.ring[p]).epsilon(1e-9));
      CHECK(nccl_latency_us(c, NcclAlgo::tree, protos[p]) == doctest::Approx(r.tree[p]).epsilon(1e-9));
    }
  }
  CHECK(nccl_latency_us(comm(NcclOp::all_reduce, 1), NcclAlgo::nvls, NcclProto::simple) == doctest::Approx(25.0));
  CHECK(nccl_latency_us(comm(NcclOp::all_reduce, 2), NcclAlgo::nvls, NcclProto::simple) == doctest::Approx(43.0));
  CHECK(nccl_latency_us(comm(NcclOp::all_reduce, 2), NcclAlgo::nvls_tree, NcclProto::simple) == doctest::Approx(66.8));
  CHECK(nccl_latency_us(comm(NcclOp::all_reduce, 4), NcclAlgo::nvls_tree, NcclProto::simple) == doctest::Approx(108.6));
}

TEST_CASE("docs/reference/hardware.md §4c.5: latency terms, all-gather / reduce-scatter") {
  for (NcclOp op : {NcclOp::all_gather, NcclOp::reduce_scatter}) {
    const double expect[3][3] = {{10.8, 27.3, 32.2}, {23.3, 44.6, 70.0}, {159.1, 286.8, 599.2}};
    const int nodes[3] = {1, 2, 16};
    for (int i = 0; i < 3; ++i) {
      NcclComm c = comm(op, nodes[i]);
      CHECK(nccl_latency_us(c, NcclAlgo::ring, NcclProto::ll) == doctest::Approx(expect[i][0]));
      CHECK(nccl_latency_us(c, NcclAlgo::ring, NcclProto::ll128) == doctest::Approx(expect[i][1]));
      CHECK(nccl_latency_us(c, NcclAlgo::ring, NcclProto::simple) == doctest::Approx(expect[i][2]));
    }
  }
}

TEST_CASE("8 x A100: NCCL's 12 x 20 GB/s NVLink model gives ring busbw near the measured 231 GB/s") {
  NcclComm c = comm(NcclOp::all_reduce, 1, GpuArch::ampere);
  c.channels = 12;  // NCCL's per-GPU NVLink model: 12 links x 20 GB/s (docs/reference/hardware.md §4c.4)
  c.bw_intra = c.bw_inter = 20.0;
  NcclEstimate big = nccl_pick(c, 8.0 * (1 << 30));
  CHECK(big.algo == NcclAlgo::ring);
  CHECK(big.proto == NcclProto::simple);
  CHECK(big.bus_bw == doctest::Approx(240.0));
  CHECK(std::abs(big.bus_bw - 231.58) / 231.58 < 0.05);  // nccl_allreduce_single_node.csv, 8 GiB
  NcclEstimate small = nccl_pick(c, 1024);
  CHECK(small.proto == NcclProto::ll);
  CHECK(small.latency_us < 20.0);  // measured small-message floor 13-17 us (§4c.3)
}

TEST_CASE("8 x H100 with NVLink SHARP: NVLS wins at large sizes, LL at small ones") {
  NcclComm c = comm(NcclOp::all_reduce, 1, GpuArch::hopper);
  c.channels = 16;
  c.bw_intra = c.bw_inter = 20.6;
  c.nvls = true;
  CHECK(nccl_pick(c, 8.0 * (1 << 30)).algo == NcclAlgo::nvls);
  CHECK(nccl_pick(c, 1024).proto == NcclProto::ll);
  // NVLS is off without NVLink SHARP, on PCIe, and for multi-node without CollNet.
  c.nvls = false;
  CHECK_FALSE(nccl_estimate(c, NcclAlgo::nvls, NcclProto::simple).has_value());
  NcclComm multi = comm(NcclOp::all_reduce, 2);
  multi.nvls = true;
  CHECK_FALSE(nccl_estimate(multi, NcclAlgo::nvls, NcclProto::simple).has_value());
  NcclComm pci = comm(NcclOp::all_reduce, 1);
  pci.intra = IntraLink::pci;
  CHECK_FALSE(nccl_estimate(pci, NcclAlgo::ring, NcclProto::ll128).has_value());
}

TEST_CASE("tree only for all-reduce; algorithm bandwidth conversion") {
  NcclComm ag = comm(NcclOp::all_gather, 1);
  CHECK_FALSE(nccl_estimate(ag, NcclAlgo::tree, NcclProto::simple).has_value());
  NcclEstimate ring = *nccl_estimate(ag, NcclAlgo::ring, NcclProto::simple);
  CHECK(ring.alg_bw == doctest::Approx(ring.bus_bw * 8.0 / 7.0));
  NcclComm ar = comm(NcclOp::all_reduce, 4);
  NcclEstimate tree = *nccl_estimate(ar, NcclAlgo::tree, NcclProto::simple);
  CHECK(tree.alg_bw == doctest::Approx(tree.bus_bw * 0.5));
}
