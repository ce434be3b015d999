// CPU and NVMe offload in the training step (sim/workload/offload_plan.hpp):
// traffic volumes against the analytic ones, DeepSpeed's estimators on the
// simulated run's memory, PCIe contention with inter-node DP traffic, and
// the qualitative effects users expect (what fits, what is slower).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/load/scenario_loader.hpp"
#include "sim/load/zoo.hpp"
#include "sim/memory/deepspeed_estimators.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/model/params.hpp"
#include "sim/workload/comm_cost.hpp"
#include "sim/workload/offload_plan.hpp"
#include "sim/workload/step_sim.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::scenario;

const char* kSmall = R"(model: megatron-gpt-1.7b
cluster: dgx-a100-80gb
framework: {name: deepspeed}
training: {seq_len: 2048, micro_batch: 1, global_batch: 8, precision: bf16, recompute: full}
offload: {pin_memory: true}
)";

// P: the parameters one GPU's optimizer partition holds (tp = pp = 1).
double partition(const Scenario& s) {
  return static_cast<double>(compute_memory(s).stages[0].params) / (s.parallel.dp * s.parallel.cp);
}

double states_on_gpu(const StepResult& r) {
  return (r.memory_at_peak.params + r.memory_at_peak.grads + r.memory_at_peak.optimizer_states).value();
}

// Seconds of the spans on `lane` whose name holds `name` (a collective's span is
// named "<op> <label> <size> <algorithm>", e.g. "reduce_scatter grad reduce 1.2 GB ring").
double span_seconds(const StepResult& r, Lane lane, const std::string& name) {
  double t = 0;
  for (const TraceSpan& sp : r.spans)
    if (sp.lane == lane && sp.name.find(name) != std::string::npos) t += sp.end_s.value() - sp.start_s.value();
  return t;
}

}  // namespace

TEST_CASE("ZeRO-2 + CPU offload moves 4P down and 2P up per step; accumulation adds 2P down and 2P(m-1) up") {
  for (int m : {1, 4}) {
    Scenario s = scenario(kSmall, {"gpus=8", "parallel.zero_stage=2", "offload.optimizer=cpu",
                                   "training.global_batch=" + std::to_string(8 * m)});
    const double p = partition(s);
    StepResult r = simulate_step(s);
    CAPTURE(m);
    CHECK(r.offload_pcie_d2h_bytes_per_gpu.value() == doctest::Approx(4 * p + (m > 1 ? 2 * p : 0)));
    CHECK(r.offload_pcie_h2d_bytes_per_gpu.value() == doctest::Approx(2 * p + 2 * p * (m - 1)));
    CHECK(r.offload_nvme_read_bytes_per_gpu.value() == 0);
    CHECK(r.breakdown.total().value() == doctest::Approx(r.step_time_s.value()).epsilon(1e-9));
  }
}

TEST_CASE("ZeRO-3 offload: parameters fetched 2P per pass, NVMe optimizer swaps 12P each way") {
  Scenario s = scenario(kSmall, {"gpus=8", "parallel.zero_stage=3", "offload.optimizer=cpu"});
  const double p = partition(s);
  StepResult opt = simulate_step(s);
  CHECK(opt.offload_pcie_d2h_bytes_per_gpu.value() == doctest::Approx(4 * p));
  CHECK(opt.offload_pcie_h2d_bytes_per_gpu.value() ==
        doctest::Approx(2 * p));  // updated 16-bit partition, per sub-group

  s = scenario(kSmall, {"gpus=8", "parallel.zero_stage=3", "offload.optimizer=cpu", "offload.params=cpu",
                        "memory.param_persistence_threshold=0", "memory.max_reuse_distance=0"});
  StepResult both = simulate_step(s);
  CHECK(both.offload_pcie_h2d_bytes_per_gpu.value() ==
        doctest::Approx(2 * p * 2));  // forward + backward gathers, m = 1
  // With reuse (DeepSpeed's default 1e9) the units kept across the forward/backward boundary are not fetched again.
  s.memory.max_reuse_distance = 1e9;
  CHECK(simulate_step(s).offload_pcie_h2d_bytes_per_gpu.value() < both.offload_pcie_h2d_bytes_per_gpu.value());
  s.memory.max_reuse_distance = 0;
  // Persistent tensors (norms, biases below the threshold) stay on the GPU: not fetched.
  s.memory.param_persistence_threshold = 1e5;
  CHECK(simulate_step(s).offload_pcie_h2d_bytes_per_gpu.value() < both.offload_pcie_h2d_bytes_per_gpu.value());

  s = scenario(kSmall, {"gpus=8", "parallel.zero_stage=3", "offload.optimizer=nvme", "memory.sub_group_size=1e8"});
  StepResult nvme = simulate_step(s);
  CHECK(nvme.offload_nvme_read_bytes_per_gpu.value() == doctest::Approx(12 * p));
  CHECK(nvme.offload_nvme_write_bytes_per_gpu.value() == doctest::Approx(12 * p));
  CHECK(nvme.step_time_s.value() > opt.step_time_s.value());
}

TEST_CASE("DeepSpeed's offload estimators hold on the simulated run's memory within 2%") {
  // DeepSpeed counts host memory with additional_buffer_factor 1.5 (docs/reference/formulas.md §4).
  const double factor = 1.5;
  for (int n : {1, 4}) {
    Scenario s = scenario(kSmall, {"gpus=" + std::to_string(n), "parallel.zero_stage=2", "offload.optimizer=cpu",
                                   "training.global_batch=" + std::to_string(n)});
    const ParamCounts pc = count_params(s.model);
    DeepSpeedEstimateInputs in;
    in.total_params = pc.total;
    in.largest_layer_params = pc.largest_layer;
    in.gpus_per_node = n;
    in.offload_optimizer = true;
    StepResult r = simulate_step(s);
    DeepSpeedEstimate z2 = estimate_zero2_model_states(in);
    CAPTURE(n);
    CHECK(states_on_gpu(r) == doctest::Approx(z2.gpu_per_gpu.value()).epsilon(0.02));
    CHECK(r.host_memory_peak_bytes_per_node.value() * factor == doctest::Approx(z2.cpu_per_node.value()).epsilon(0.02));

    for (bool params : {false, true}) {
      Scenario s3 = scenario(kSmall, {"gpus=" + std::to_string(n), "parallel.zero_stage=3", "offload.optimizer=cpu",
                                      std::string("offload.params=") + (params ? "cpu" : "none"),
                                      "training.global_batch=" + std::to_string(n)});
      in.offload_params = params;
      DeepSpeedEstimate z3 = estimate_zero3_model_states(in);
      StepResult r3 = simulate_step(s3);
      CAPTURE(params);
      CHECK(states_on_gpu(r3) + 4.0 * pc.largest_layer == doctest::Approx(z3.gpu_per_gpu.value()).epsilon(0.02));
      CHECK(r3.host_memory_peak_bytes_per_node.value() * factor ==
            doctest::Approx(z3.cpu_per_node.value()).epsilon(0.02));
    }
  }
}

TEST_CASE("offload copies share the GPU's PCIe link with its NIC: inter-node DP reduction slows down") {
  // Short sequences: the backward produces 5e7-element buckets faster than they are reduced and
  // copied, so bucket k's copy to the host runs while bucket k+1 is reduce-scattered across nodes.
  Scenario s = scenario(kSmall, {"gpus=16", "parallel.zero_stage=2", "training.global_batch=16", "training.seq_len=256",
                                 "training.recompute=none", "memory.reduce_bucket_size=5e7"});
  OffloadStep plain = plan_offload(s, true);
  CHECK_FALSE(plain.active);
  s.offload.optimizer = OffloadDevice::cpu;
  OffloadStep o = plan_offload(s, true);
  // DGX A100: two GPUs share each Gen4 switch's uplink, and a GPU's x16 link carries its NIC's traffic too.
  CHECK(o.rates.d2h == doctest::Approx(16e9 * 0.82));
  HostActivity d2h_and_nic;
  d2h_and_nic.copy = 1;
  d2h_and_nic.nic = true;
  CHECK(o.rates.share_of(d2h_and_nic, HostUse::nic) < 1.0);
  CHECK(plan_offload(s, false).rates.share_of(d2h_and_nic, HostUse::nic) == 1.0);

  StepOptions rec;
  rec.record_timeline = true;
  Scenario none = s;
  none.offload.optimizer = OffloadDevice::none;
  none.memory.convention = s.memory.convention;
  StepResult a = simulate_step(none, rec);
  StepResult b = simulate_step(s, rec);
  const double reduce_a = span_seconds(a, Lane::dp_comm, "grad reduce");
  const double reduce_b = span_seconds(b, Lane::dp_comm, "grad reduce");
  CHECK(reduce_a > 0);
  CHECK(reduce_b > reduce_a * 1.1);
  CHECK(span_seconds(b, Lane::pcie, "grads to host") > 0);
}

TEST_CASE("an inter-node collective slows beside copies only below the NIC rate it needs") {
  // Hand-made rates: the NIC alone gives 25 GB/s, beside a device-to-host copy 12.5 GB/s (half).
  OffloadRates r;
  r.share.assign(kHostActivities, {1, 1, 1, 1});
  r.nic.assign(kHostActivities, 0);
  HostActivity alone, with_copy, copy_only;
  alone.nic = with_copy.nic = true;
  with_copy.copy = copy_only.copy = 1;
  r.nic[static_cast<size_t>(alone.index())] = 25e9;
  r.nic[static_cast<size_t>(with_copy.index())] = 12.5e9;
  r.share[static_cast<size_t>(with_copy.index())][static_cast<size_t>(use_index(HostUse::nic))] = 0.5;
  CHECK(r.nic_share(with_copy, 0) == 0.5);       // takes all the NIC gives: its share of the line rate
  CHECK(r.nic_share(with_copy, 30e9) == 0.5);    // needs more than the NIC gives alone: the same
  CHECK(r.nic_share(with_copy, 10e9) == 1.0);    // the mix still leaves it the 10 GB/s it needs
  CHECK(r.nic_share(with_copy, 20e9) == 0.625);  // 12.5 of the 20 GB/s it needs
  CHECK(r.nic_share(copy_only, 20e9) == 1.0);    // no NIC traffic in the mix
  r.nic.clear();                                 // DP traffic inside the node: the table's share
  CHECK(r.nic_share(with_copy, 10e9) == 0.5);
}

TEST_CASE("the NIC rate a collective draws: never above the line rate, LL's below Simple's") {
  Scenario s = scenario(kSmall, {"gpus=16", "training.global_batch=16"});
  const GroupPlacement two_nodes{16, 2, 8}, one_node{8, 1, 8};
  const Bytes bucket(2e8);
  const double line = 200e9 / 8;  // DGX A100: one 200 Gb/s HDR NIC per GPU
  CommCost simple(s.cluster, false, NcclAlgo::ring, NcclProto::simple);
  CommCost ll(s.cluster, false, NcclAlgo::ring, NcclProto::ll);
  CHECK(simple.nic_rate(CollectiveOp::reduce_scatter, bucket, one_node) == 0);  // no NIC traffic
  const double simple_rate = simple.nic_rate(CollectiveOp::reduce_scatter, bucket, two_nodes);
  const double ll_rate = ll.nic_rate(CollectiveOp::reduce_scatter, bucket, two_nodes);
  CHECK(simple_rate <= line);
  CHECK(simple_rate > 0.5 * line);  // a large Simple ring is NIC-bound
  CHECK(ll_rate <= line);
  // LL's bus bandwidth is capped far below the NICs (tuning.cc llMaxBw on 2 nodes: 39 GB/s for an
  // Intel host row, 22.5 GB/s for AMD, over all 8 NICs), even with its 2x wire bytes: 2 x 39 / 8 GB/s.
  CHECK(ll_rate <= 2 * 39e9 / 8 * 1.0001);
  CHECK(ll_rate < simple_rate);
}

TEST_CASE("offload runs: symmetric and full simulation agree") {
  const std::vector<std::vector<std::string>> plans = {
      {"gpus=16", "parallel.zero_stage=2", "offload.optimizer=cpu", "training.global_batch=32"},
      {"gpus=16", "parallel.zero_stage=3", "offload.optimizer=cpu", "offload.params=cpu", "training.global_batch=16"},
      {"gpus=8", "parallel.zero_stage=3", "offload.optimizer=nvme", "offload.params=nvme", "memory.sub_group_size=1e8"},
  };
  for (const auto& sets : plans) {
    Scenario s = scenario(kSmall, sets);
    StepOptions full;
    full.full = true;
    StepResult sym = simulate_step(s), all = simulate_step(s, full);
    CAPTURE(sets[1]);
    CHECK(sym.step_time_s.value() == all.step_time_s.value());
    CHECK(sym.peak_memory_bytes.value() == all.peak_memory_bytes.value());
    CHECK(sym.offload_pcie_d2h_bytes_per_gpu.value() == all.offload_pcie_d2h_bytes_per_gpu.value());
  }
}

TEST_CASE("a 13B model trains on one A100-80GB with ZeRO-2 + CPU offload, not without it") {
  const char* y = R"(model: llama-2-13b
cluster: dgx-a100-80gb
framework: {name: deepspeed}
gpus: 1
parallel: {zero_stage: 2}
training: {seq_len: 2048, micro_batch: 1, global_batch: 1, recompute: full}
)";
  StepResult without = simulate_step(scenario(y));
  StepResult with = simulate_step(scenario(y, {"offload.optimizer=cpu", "offload.pin_memory=true"}));
  CHECK_FALSE(without.fits());
  CHECK(with.fits());
  CHECK(with.verdict.host_fits);
  CHECK(with.host_memory_peak_bytes_per_node.value() > 0);

  // Halving the PCIe bandwidth slows the offloaded step; pageable buffers too.
  Scenario slow = scenario(y, {"offload.optimizer=cpu", "offload.pin_memory=true"});
  slow.cluster.node.pcie.bandwidth = slow.cluster.node.pcie.bandwidth * 0.5;
  CHECK(simulate_step(slow).step_time_s.value() > with.step_time_s.value());
  CHECK(simulate_step(scenario(y, {"offload.optimizer=cpu"})).step_time_s.value() > with.step_time_s.value());
  // A faster CPU-Adam shortens it, up to the node's DRAM bandwidth (28 B per parameter).
  Scenario fast = scenario(y, {"offload.optimizer=cpu", "offload.pin_memory=true", "offload.cpu_adam_throughput=40B"});
  CHECK(plan_offload(fast, false).rates.cpu_adam == doctest::Approx(409.6e9 / 28));
  CHECK(simulate_step(fast).step_time_s.value() < with.step_time_s.value());
  // Without offload.cpu_adam_throughput, the card's: topologies/dgx-a100-80gb.yaml's 7.3B (an x86 assumption,
  // docs/reference/hardware.md §4f: 28 B/param at half of 409.6 GB/s).
  CHECK(plan_offload(scenario(y, {"offload.optimizer=cpu"}), false).rates.cpu_adam == doctest::Approx(7.3e9));
}

TEST_CASE("ZeRO-3: the optimizer on 4 Gen4 NVMe drives is slower than on CPU; param offload fits 70B on one GPU") {
  const char* y = R"(model: llama-2-70b
cluster: dgx-a100-80gb
framework: {name: deepspeed}
gpus: 1
parallel: {zero_stage: 3}
training: {seq_len: 2048, micro_batch: 1, global_batch: 1, recompute: full}
offload: {optimizer: cpu, params: cpu, pin_memory: true}
)";
  Scenario s = scenario(y);
  REQUIRE(s.cluster.node.host_memory.value() == 2e12);  // DGX A100 640GB: 2 TB (docs/reference/hardware.md §2.1)
  StepResult cpu = simulate_step(s);
  CHECK(cpu.fits());
  CHECK(cpu.verdict.host_fits);
  // 18 B x 70B parameters do not fit the 1 TB of the DGX A100 320GB.
  CHECK(test::card("dgx-a100-40gb").node.host_memory.value() < cpu.host_memory_peak_bytes_per_node.value());

  Scenario gpu_params = s;
  gpu_params.offload.params = OffloadDevice::none;
  CHECK_FALSE(compute_memory(gpu_params).fits());

  Scenario nvme = s;
  nvme.offload.optimizer = OffloadDevice::nvme;
  StepResult n = simulate_step(nvme);
  CHECK(n.step_time_s.value() > cpu.step_time_s.value());
  CHECK(n.verdict.nvme_fits);
  CHECK(n.breakdown.offload_exposed.value() > cpu.breakdown.offload_exposed.value());
}

TEST_CASE("the aio queue bounds NVMe throughput by Little's law") {
  Scenario s = scenario(kSmall, {"gpus=8", "parallel.zero_stage=3", "offload.optimizer=nvme"});
  const double deep = plan_offload(s, false).rates.nvme_read;
  CHECK(deep == doctest::Approx(9.3e9 / 8));  // node aggregate over 8 GPUs: the queue is deep enough
  s.offload.aio.block_size = Bytes(64.0 * 1024);
  s.offload.aio.queue_depth = 1;
  const double shallow = plan_offload(s, false).rates.nvme_read;
  // one 64 KiB block in flight per 100 us of service and one io_submit to refill the queue
  CHECK(shallow == doctest::Approx(64.0 * 1024 / (100e-6 + s.cluster.node.aio_submit_latency.value())));
  s.offload.aio.thread_count = 2;
  CHECK(plan_offload(s, false).rates.nvme_read == doctest::Approx(std::min(2 * shallow, deep)));
  CHECK(shallow < deep);
}

TEST_CASE(
    "ZeRO-3 CPU offload: smaller sub-groups overlap the parameter copies with CPU-Adam; no overlap_comm is slower") {
  const char* y = R"(model: llama-2-13b
cluster: dgx-a100-80gb
framework: {name: deepspeed}
gpus: 8
parallel: {zero_stage: 3}
training: {seq_len: 2048, micro_batch: 1, global_batch: 8, recompute: full}
offload: {optimizer: cpu, pin_memory: true}
)";
  // P = 1.6e9 parameters per GPU: one 1e9 sub-group leaves 1e9 x 2 B to copy after its step; 1e8 groups only 2e8 B.
  StepResult big = simulate_step(scenario(y, {"memory.sub_group_size=1e9"}));
  StepResult small = simulate_step(scenario(y, {"memory.sub_group_size=1e8"}));
  CHECK(small.step_time_s.value() < big.step_time_s.value());
  CHECK(small.offload_pcie_h2d_bytes_per_gpu.value() == doctest::Approx(big.offload_pcie_h2d_bytes_per_gpu.value()));
  StepResult serial = simulate_step(scenario(y, {"training.overlap_grad_reduce=false"}));
  CHECK(serial.step_time_s.value() > big.step_time_s.value());
  CHECK(serial.offload_pcie_d2h_bytes_per_gpu.value() == doctest::Approx(big.offload_pcie_d2h_bytes_per_gpu.value()));
}

TEST_CASE("ZeRO-3 stage3_max_live_parameters caps the parameter prefetch") {
  const char* y = R"(model: llama-2-7b
cluster: dgx-h100-80gb
framework: {name: deepspeed}
gpus: 8
parallel: {zero_stage: 3}
training: {seq_len: 4096, micro_batch: 1, global_batch: 8}
)";
  // A Llama-2 7B layer holds 2.0e8 parameters: a cap of 1e8 leaves no room to gather the next layer ahead.
  // No reuse across passes, whose kept units also depend on the cap (zero3_kept).
  StepResult open = simulate_step(scenario(y, {"memory.max_live_parameters=1e10", "memory.max_reuse_distance=0"}));
  StepResult capped = simulate_step(scenario(y, {"memory.max_live_parameters=1e8", "memory.max_reuse_distance=0"}));
  CHECK(capped.step_time_s.value() > open.step_time_s.value());
  CHECK(capped.breakdown.dp_comm_exposed.value() > open.breakdown.dp_comm_exposed.value());
  CHECK(capped.comm_bytes_per_gpu == open.comm_bytes_per_gpu);
  CHECK(simulate_step(scenario(y, {"memory.max_reuse_distance=0"})).step_time_s.value() ==
        open.step_time_s.value());  // default 1e9 fits two layers
}
