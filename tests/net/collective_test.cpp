// Analytical collectives (NCCL's tuner model on the cluster cards) against
// measurements: nccl-tests all-reduce on one node of 8 A100 / 8 H100
// (nccl_allreduce_single_node.csv) and NVIDIA's multi-node anchors
// (docs/reference/hardware.md §4c.2, §5). The per-size comparison is printed; the assertions
// are the acceptance thresholds.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "sim/load/hardware_loader.hpp"
#include "tests/test_util.hpp"
#include "sim/net/collective.hpp"

using namespace trainsim;

namespace {

using test::card;

double busbw(const ClusterSpec& c, CollectiveOp op, int ranks, double bytes) {
  CollectiveResult r = predict_collective(c, {op, ranks, bytes, std::nullopt, std::nullopt});
  return bytes / r.time_s / 1e9 * busbw_factor(op, ranks);
}

struct Band {
  double sum = 0;
  int n = 0;
  double mape() const { return n ? sum / n : 0; }
};

}  // namespace

TEST_CASE("single-node all-reduce vs nccl-tests (8 x A100, 8 x H100)") {
  std::ifstream in("data/reference/nccl_allreduce_single_node.csv");
  REQUIRE_MESSAGE(in.good(), "tests run from the repository root, which holds data/reference/");
  ClusterSpec a100 = card("dgx-a100-80gb"), h100 = card("dgx-h100-80gb");
  std::ostringstream table;
  table << "size          A100 meas  pred   err    H100 meas  pred   err\n";
  Band large[2], small[2];
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("size_label", 0) == 0) continue;
    std::stringstream ss(line);
    std::string label, f;
    double bytes = 0, meas[2];
    std::getline(ss, label, ',');
    std::getline(ss, f, ',');
    bytes = std::stod(f);
    for (double& m : meas) {
      std::getline(ss, f, ',');
      m = std::stod(f);
    }
    double pred[2] = {busbw(a100, CollectiveOp::all_reduce, 8, bytes), busbw(h100, CollectiveOp::all_reduce, 8, bytes)};
    char row[160];
    std::snprintf(row, sizeof row, "%-12s %8.2f %8.2f %+5.0f%%  %8.2f %8.2f %+5.0f%%\n", label.c_str(), meas[0],
                  pred[0], 100 * (pred[0] / meas[0] - 1), meas[1], pred[1], 100 * (pred[1] / meas[1] - 1));
    table << row;
    for (int g = 0; g < 2; ++g) {
      double err = std::abs(pred[g] / meas[g] - 1);
      Band& b = bytes >= (1 << 20) ? large[g] : small[g];
      b.sum += err;
      ++b.n;
    }
  }
  for (int g = 0; g < 2; ++g)
    table << (g ? "H100" : "A100") << " busbw MAPE: >= 1 MiB " << 100 * large[g].mape() << "%, < 1 MiB "
          << 100 * small[g].mape() << "%\n";
  MESSAGE(table.str());
  // Acceptance (network issue): MAPE of busbw <= 10% from 1 MiB, <= 30% below.
  for (int g = 0; g < 2; ++g) {
    CHECK(large[g].mape() <= 0.10);
    CHECK(small[g].mape() <= 0.30);
  }
}

TEST_CASE("multi-node large all-reduce busbw near NVIDIA's anchors (docs/reference/hardware.md §4c.2)") {
  double a = busbw(card("dgx-a100-80gb"), CollectiveOp::all_reduce, 64, 8.0 * (1 << 30));
  double h = busbw(card("dgx-h100-80gb"), CollectiveOp::all_reduce, 64, 8.0 * (1 << 30));
  MESSAGE("8 nodes, 8 GiB: DGX A100 " << a << " GB/s (NVIDIA 192), DGX H100 " << h << " GB/s (NVIDIA 380)");
  CHECK(std::abs(a / 192 - 1) < 0.10);
  CHECK(std::abs(h / 380 - 1) < 0.10);
  // Jean Zay's 4 x 100 Gb/s per node bound a 2-node ring: at most 50 GB/s busbw.
  double jz = busbw(card("jeanzay-a100-80gb"), CollectiveOp::all_reduce, 16, 8.0 * (1 << 30));
  CHECK(jz <= 50.0 + 1e-9);
  CHECK(jz > 40.0);
}

TEST_CASE("algorithm choice and conventions") {
  ClusterSpec h100 = card("dgx-h100-80gb");
  CHECK(
      predict_collective(h100, {CollectiveOp::all_reduce, 8, 8.0 * (1 << 30), std::nullopt, std::nullopt}).algorithm ==
      "nvls");
  CHECK(predict_collective(h100, {CollectiveOp::all_reduce, 8, 1024, std::nullopt, std::nullopt}).protocol == "LL");
  CHECK(
      predict_collective(h100, {CollectiveOp::all_reduce, 4, 8.0 * (1 << 30), std::nullopt, std::nullopt}).algorithm ==
      "ring");
  CHECK(predict_collective(h100, {CollectiveOp::all_reduce, 8, 1 << 30, NcclAlgo::ring, std::nullopt}).algorithm ==
        "ring");
  CHECK(predict_collective(h100, {CollectiveOp::all_reduce, 1, 1 << 30, std::nullopt, std::nullopt}).time_s == 0);
  CHECK(busbw_factor(CollectiveOp::all_reduce, 8) == doctest::Approx(1.75));
  CHECK(busbw_factor(CollectiveOp::all_gather, 8) == doctest::Approx(0.875));
  CHECK(busbw_factor(CollectiveOp::broadcast, 8) == 1.0);
  CHECK(parse_collective_op("allreduce") == CollectiveOp::all_reduce);
  CHECK(parse_collective_op("all-gather") == CollectiveOp::all_gather);
  CHECK_THROWS_AS(parse_collective_op("allreduse"), ConfigError);
  // Same inputs, same answer.
  auto r1 = predict_collective(h100, {CollectiveOp::reduce_scatter, 64, 1e8, std::nullopt, std::nullopt});
  auto r2 = predict_collective(h100, {CollectiveOp::reduce_scatter, 64, 1e8, std::nullopt, std::nullopt});
  CHECK(r1.time_s == r2.time_s);
  // A PCIe-only node: no LL128, ring over PCIe near NCCL's 24 GB/s Gen4 anchor (§4c.2).
  double pcie = busbw(card("pcie-a100-80gb"), CollectiveOp::all_reduce, 8, 8.0 * (1 << 30));
  CHECK(std::abs(pcie / 24 - 1) < 0.10);
}

TEST_CASE("forcing a protocol, and the execution model on top of the tuner") {
  ClusterSpec a100 = card("dgx-a100-80gb");
  CollectiveRequest req{CollectiveOp::all_reduce, 8, 64.0 * (1 << 20), NcclAlgo::ring, NcclProto::ll128};
  CollectiveResult r = predict_collective(a100, req);
  CHECK(r.algorithm == "ring");
  CHECK(r.protocol == "LL128");
  req.algo = NcclAlgo::nvls;  // no NVLink SHARP on A100
  CHECK_THROWS_AS(predict_collective(a100, req), UnsupportedCollective);
  // The execution model never beats NCCL's own estimate: it only adds costs.
  NcclComm comm = nccl_comm_for(a100, CollectiveOp::all_reduce, 8);
  for (double bytes : {1e3, 1e6, 1e9}) {
    NcclEstimate e = nccl_pick(comm, bytes);
    NcclExecTime t = nccl_exec_time(comm, e, bytes, nccl_exec_defaults(comm.arch));
    CHECK(t.total_us() > e.time_us(bytes));
    CHECK(t.fixed_us == doctest::Approx(e.latency_us + nccl_exec_defaults(comm.arch).launch_us));
  }
}
