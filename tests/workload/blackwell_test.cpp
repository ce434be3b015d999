// Blackwell cards (issue 22): the GPU and system cards against the datasheet
// arithmetic of docs/reference/hardware.md §1.5, NCCL's Blackwell constants and
// the 72-GPU NVLink domain of the NVL72 racks (NVLS across the rack), the one
// published nccl-tests figure [S69], Grace's NVLink-C2C route for CPU offload,
// and FP4 (Transformer Engine NVFP4BlockScaling): where it is allowed and what
// its casts cost.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/model/activations.hpp"
#include "sim/model/kernel_sets.hpp"
#include "sim/model/layer_ops.hpp"
#include "sim/net/collective.hpp"
#include "sim/net/nccl_exec.hpp"
#include "sim/spec/run_assumptions.hpp"
#include "sim/spec/scenario.hpp"
#include "sim/topology/topology.hpp"
#include "sim/workload/step_sim.hpp"
#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::card;
using test::has;

const CardAssumption* find(const std::vector<CardAssumption>& v, const std::string& key) {
  for (const CardAssumption& a : v)
    if (a.key == key) return &a;
  return nullptr;
}

double tflops(const FlopRate& r) { return r.value() / 1e12; }

// nccl-tests' bus bandwidth (GB/s) of a predicted all-reduce of `bytes` on `ranks`.
double all_reduce_busbw(const ClusterSpec& c, int ranks, double bytes, std::string* algo = nullptr) {
  CollectiveRequest r;
  r.op = CollectiveOp::all_reduce;
  r.ranks = ranks;
  r.bytes = bytes;
  const CollectiveResult out = predict_collective(c, r);
  if (algo) *algo = out.algorithm;
  return bytes / out.time_s * busbw_factor(CollectiveOp::all_reduce, ranks) / 1e9;
}

std::string layout_problems(const Scenario& s) {
  std::string all;
  for (const LayoutProblem& p : check_layout(s)) all += p.key + ": " + p.message + "\n";
  return all;
}

const char* kNvl72 = R"(model: llama-3-8b
cluster: gb200-nvl72-rack
nodes: 1
parallel: {tp: 8, sequence_parallel: true, zero_stage: 1}
training: {seq_len: 4096, micro_batch: 1, global_batch: 36, precision: bf16, recompute: selective}
)";

}  // namespace

TEST_CASE("Blackwell GPU cards: dense peaks and HBM from the system datasheets (§1.5)") {
  // DGX B200: 72 PF FP8 / 144 PF FP4 sparse over 8 GPUs, 1,440 GB at 64 TB/s [S64].
  const GpuSpec b200 = card("dgx-b200").node.gpu;
  CHECK(b200.name == "b200-sxm-180gb");
  CHECK(tflops(*b200.peak_fp8) == doctest::Approx(72000.0 / 8 / 2));
  CHECK(tflops(*b200.peak_fp4) == doctest::Approx(144000.0 / 8 / 2));
  CHECK(tflops(b200.peak_bf16) == doctest::Approx(tflops(*b200.peak_fp8) / 2));
  CHECK(b200.hbm_bandwidth.value() == doctest::Approx(64e12 / 8));
  CHECK(b200.compute_capability == doctest::Approx(10.0));
  CHECK(b200.tdp_watts == doctest::Approx(1000));
  // GB200 NVL72: 720 PF FP8, 360 PF BF16, 1,440 PF FP4 sparse, 13.4 TB at 576 TB/s over 72 GPUs [S66].
  const GpuSpec gb200 = card("gb200-nvl72-rack").node.gpu;
  CHECK(tflops(*gb200.peak_fp8) == doctest::Approx(720000.0 / 72 / 2));
  CHECK(tflops(gb200.peak_bf16) == doctest::Approx(360000.0 / 72 / 2));
  CHECK(tflops(*gb200.peak_fp4) == doctest::Approx(1440000.0 / 72 / 2));
  CHECK(gb200.hbm.value() == doctest::Approx(13.4e12 / 72).epsilon(0.01));
  CHECK(gb200.hbm_bandwidth.value() == doctest::Approx(576e12 / 72));
  // GB300 NVL72: 360 PF FP8 and "1.1 EF" FP4 dense over 72 GPUs [S67]; B300: 105 PF FP4 dense over 8 [S65].
  const GpuSpec gb300 = card("gb300-nvl72-rack").node.gpu;
  CHECK(tflops(*gb300.peak_fp8) == doctest::Approx(360000.0 / 72));
  CHECK(tflops(*gb300.peak_fp4) == doctest::Approx(1100000.0 / 72).epsilon(0.02));
  const GpuSpec b300 = card("dgx-b300").node.gpu;
  CHECK(tflops(*b300.peak_fp4) == doctest::Approx(105000.0 / 8));
  CHECK(b300.hbm.value() == doctest::Approx(2.3e12 / 8).epsilon(0.01));
  CHECK(b300.compute_capability == doctest::Approx(10.3));
  for (const GpuSpec* g : {&b200, &gb200, &gb300, &b300}) {
    CAPTURE(g->name);
    CHECK(arch_of(*g) == GpuArch::blackwell);
    CHECK(hopper_or_newer(*g));
    CHECK_FALSE(g->validated);
    CHECK(find(g->assumptions, "sms") != nullptr);  // not in any datasheet
  }
  CHECK(arch_of(card("dgx-h100-80gb").node.gpu) == GpuArch::hopper);  // unchanged
  CHECK(card("dgx-h100-80gb").node.gpu.validated);
}

TEST_CASE("a card that is not validated says so among the run's assumptions") {
  const Scenario s = test::scenario(kNvl72);
  const RunAssumptions a = run_assumptions(s);
  const CardAssumption* v = find(a.card, "node.gpu.validated");
  REQUIRE(v != nullptr);
  CHECK(v->value == "false");
  CHECK(find(run_assumptions(test::scenario(std::string(kNvl72), {"cluster=dgx-h100-80gb", "nodes=9"})).card,
             "node.gpu.validated") == nullptr);
}

TEST_CASE("system cards: NICs per GPU and NVLink 5 per GPU (§1.5)") {
  const ClusterSpec b200 = card("dgx-b200"), b300 = card("dgx-b300");
  const ClusterSpec gb200 = card("gb200-nvl72-rack"), gb300 = card("gb300-nvl72-rack");
  CHECK(b200.node.nics.bandwidth.value() == doctest::Approx(400e9 / 8));  // ConnectX-7
  CHECK(b300.node.nics.bandwidth.value() == doctest::Approx(800e9 / 8));  // ConnectX-8
  CHECK(gb300.node.nics.bandwidth.value() == doctest::Approx(800e9 / 8));
  for (const ClusterSpec* c : {&b200, &b300, &gb200, &gb300}) {
    CAPTURE(c->name);
    CHECK(c->node.nics.count == c->node.gpus);                                 // one NIC per GPU
    CHECK(c->node.nvswitch.bandwidth.value() == doctest::Approx(1.8e12 / 2));  // 1.8 TB/s bidirectional
    CHECK(c->node.nvswitch.nvls);
    CHECK(c->fabric.kind == FabricKind::rail_optimized);
  }
  // The rack: 18 trays x 4 GPUs, 2 Grace per tray (36 CPUs, 2 GPUs each), 480 GB LPDDR5X per Grace.
  CHECK(gb200.node.gpus == 18 * 4);
  CHECK(gb200.node.pcie.cpus() == 18 * 2);
  CHECK(gb200.node.host_memory.value() == doctest::Approx(36 * 480e9));
  CHECK(gb200.node.c2c_bandwidth.value() == doctest::Approx(900e9 / 2));
  CHECK(b200.node.c2c_bandwidth.value() == 0);  // x86 hosts: PCIe
}

TEST_CASE("NVL72: the 72-GPU NVLink domain is one node to NCCL, with NVLS and Blackwell's constants") {
  const ClusterSpec c = card("gb200-nvl72-rack");
  const NcclComm comm = nccl_comm_for(c, CollectiveOp::all_reduce, 72);
  CHECK(comm.nodes == 1);  // MNNVL: init.cc counts NVLink domains as nodes (§1.5)
  CHECK(comm.arch == GpuArch::blackwell);
  CHECK(comm.nvls);
  CHECK(comm.channels == 18);                     // 900 GB/s over 50 GB/s NVLink 5 links
  CHECK(comm.bw_intra == doctest::Approx(40.1));  // topo.h SM100_NVLINK_BW
  // tuning.cc: NVLS busBw = nChannels x bwIntra x nvlsEfficiency (Blackwell 0.74) x (nCh - 1) / nCh x 2
  // for all-reduce, nChannels = min(18, NVLS_NCHANNELS_SM100_NVL 24).
  const std::optional<NcclEstimate> e = nccl_estimate(comm, NcclAlgo::nvls, NcclProto::simple);
  REQUIRE(e);
  CHECK(e->bus_bw == doctest::Approx(18 * 40.1 * 0.74 * 17.0 / 18.0 * 2.0));
  // Ring Simple: nChannels x bw.
  CHECK(nccl_estimate(comm, NcclAlgo::ring, NcclProto::simple)->bus_bw == doctest::Approx(18 * 40.1));
  // Tree LL128 on one node: min(busBw x 7/9, nChannels x perChMaxTreeLL128Bws[Blackwell][N1] 55.6).
  CHECK(nccl_estimate(comm, NcclAlgo::tree, NcclProto::ll128)->bus_bw ==
        doctest::Approx(std::min(18 * 40.1 * 7.0 / 9.0, 18 * 55.6)));
  std::string algo;
  all_reduce_busbw(c, 72, 1 << 30, &algo);
  CHECK(algo == "nvls");
  // The same 72 GPUs on DGX B200 nodes span 9 nodes: the network, no NVLS.
  const NcclComm spread = nccl_comm_for(card("dgx-b200"), CollectiveOp::all_reduce, 72);
  CHECK(spread.nodes == 9);
  all_reduce_busbw(card("dgx-b200"), 72, 1 << 30, &algo);
  CHECK(algo != "nvls");
}

TEST_CASE("published nccl-tests: GB200 NVL72, 2 compute trays over MNNVL, all-reduce 811 GB/s [S69]") {
  // 8 GPUs in two trays of one rack: one NVLink domain, so NVLS. The figure is the peak busbw of
  // a third-party sweep whose top size is not stated; the model at 8 GiB is within 15% (§4c,
  // data/reference/README.md "Blackwell").
  std::string algo;
  const double busbw = all_reduce_busbw(card("gb200-nvl72-rack"), 8, 8.0 * (1 << 30), &algo);
  CHECK(algo == "nvls");
  CHECK(busbw == doctest::Approx(811).epsilon(0.15));
}

TEST_CASE("DGX B200: no published nccl-tests figure; the closed form of NVLS on one node") {
  // Large-message busbw = the tuner's NVLS busBw x the execution model's NVLS efficiency (the H100
  // fit, nccl_exec.hpp), the pipeline fill vanishing at 8 GiB.
  const ClusterSpec c = card("dgx-b200");
  const double expect = 18 * 40.1 * 0.74 * 17.0 / 18.0 * 2.0 * nccl_exec_defaults(GpuArch::blackwell).nvls_efficiency;
  std::string algo;
  CHECK(all_reduce_busbw(c, 8, 8.0 * (1 << 30), &algo) == doctest::Approx(expect).epsilon(0.01));
  CHECK(algo == "nvls");
}

TEST_CASE("topology: the NVLink domain size and Grace's NVLink-C2C route to host memory") {
  const ClusterSpec rack = card("gb200-nvl72-rack");
  const std::unique_ptr<Topology> t = build_topology(rack, 2);
  CHECK(t->nvlink_domain_gpus() == 72);
  CHECK(t->same_nvlink_domain(0, 71));
  CHECK_FALSE(t->same_nvlink_domain(71, 72));
  // GPU -> Grace over C2C, then Grace's memory bus: no PCIe switch on the way.
  const Route to_host = t->route_to_host(5);
  REQUIRE(to_host.size() == 2);
  const LinkSpec& c2c = t->links()[to_host[0]];
  CHECK(c2c.key == "node.c2c_bandwidth");
  CHECK(c2c.capacity.value() == doctest::Approx(450e9));
  CHECK(t->links()[to_host[1]].kind == LinkKind::host_memory);
  CHECK(t->route_from_host(5).size() == 2);
  // An x86 DGX: GPU -> PCIe switch -> CPU -> DRAM.
  const std::unique_ptr<Topology> dgx = build_topology(card("dgx-b200"), 1);
  CHECK(dgx->nvlink_domain_gpus() == 8);
  CHECK(dgx->route_to_host(5).size() == 3);
  CHECK(t->links()[dgx->route_to_host(5)[0]].key == "node.pcie.bandwidth");
}

TEST_CASE("FP4: allowed only on a GPU with FP4 tensor cores (compute capability >= 10.0)") {
  const Scenario ok = test::scenario(kNvl72, {"training.precision=fp4"});
  CHECK(layout_problems(ok).empty());
  const std::string h100 = test::error_of([&] {
    test::scenario(kNvl72, {"training.precision=fp4", "cluster=dgx-h100-80gb", "nodes=9"});
  });
  CHECK(has(h100, "training.precision: h100-sxm5-80gb has no FP4 tensor cores"));
  // A card claiming FP4 below compute capability 10.0 is refused where it says so.
  const std::string card_yaml =
      "name: g\nsms: 132\ncompute_capability: 9.0\npeak: {fp32: 67TFLOPS, tf32: 494TFLOPS, fp16: 989TFLOPS, "
      "bf16: 989TFLOPS, fp8: 1979TFLOPS, fp4: 3958TFLOPS}\nhbm: 80GiB\nhbm_bandwidth: 3350GB/s\n";
  CHECK(has(test::error_of([&] { load_gpu_card_string(card_yaml, "g.yaml"); }),
            "g.yaml:4: peak.fp4: FP4 tensor cores need compute capability 10.0"));
}

TEST_CASE("FP4 casts: TE NVFP4 quantizes both layouts, E2M1 plus an E4M3 scale per 16 elements") {
  // Forward casts X [m x k]: the per-tensor amax (one read), then one kernel reading X (2 B) and
  // writing the rowwise and columnwise copies at 0.5 + 1/16 B each.
  const double m = 4096, n = 8192, k = 1024;
  const std::vector<Kernel> fwd = nvfp4_casts(Pass::forward, m, n, k, 2);
  REQUIRE(fwd.size() == 2);
  CHECK(fwd[0].bytes == doctest::Approx(2 * m * k));
  CHECK(fwd[1].bytes == doctest::Approx((2 + 2 * (0.5 + 1.0 / 16)) * m * k));
  const std::vector<Kernel> bwd = nvfp4_casts(Pass::backward, m, n, k, 2);  // dY [m x n]
  CHECK(bwd[1].bytes == doctest::Approx((2 + 2 * (0.5 + 1.0 / 16)) * m * n));
  CHECK(gemm_element_bytes(Precision::fp4) == 0.5);
  CHECK(attention_precision(Precision::fp4) == Precision::bf16);  // fp8_dpa = False
  CHECK(weight_cache_bytes(Precision::fp4, Fp8Recipe::delayed) == doctest::Approx(2 * (0.5 + 1.0 / 256)));
}

TEST_CASE("FP4 through the step: faster GEMMs than FP8 and BF16, MFU against the BF16 peak") {
  // Llama 3 70B's GEMMs at TP 8 and 8K tokens are large enough for the cheaper math to outweigh
  // the casts (on small shapes, e.g. Llama 3 8B at TP 8, the memory-bound casts win and FP8/FP4
  // are slower than BF16, as they are in practice).
  const std::string rack = "scenarios/blackwell/llama-3-70b-gb200-nvl72.yaml";
  auto run = [&](const char* p) {
    return simulate_step(load_scenario((test::zoo().root() / rack).string(),
                                       {"training.global_batch=9", std::string("training.precision=") + p},
                                       test::zoo()));
  };
  const StepResult bf16 = run("bf16"), fp8 = run("fp8"), fp4 = run("fp4");
  CHECK(fp4.breakdown.compute < fp8.breakdown.compute);
  CHECK(fp8.breakdown.compute < bf16.breakdown.compute);
  // The same model FLOPs: MFU scales with 1 / step time, all against the dense BF16 peak.
  CHECK(fp4.mfu * fp4.step_time_s.value() == doctest::Approx(bf16.mfu * bf16.step_time_s.value()));
  // The FP4 weight cache is about half the FP8 one (1.0078 vs 2 B per weight).
  CHECK(fp4.peak_memory_bytes < fp8.peak_memory_bytes);
}
