// DeepSpeed's offload knobs (sim/workload/offload_plan.hpp,
// sim/memory/memory_model.cpp): aio single_submit and overlap_events,
// offload_param.max_in_cpu, and the host gradient-accumulation buffer. Each
// test changes one knob and checks what it should change and what it must not.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/load/scenario_loader.hpp"
#include "sim/load/zoo.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/workload/offload_plan.hpp"
#include "sim/workload/step_sim.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::scenario;

const char* kInfinity = R"(model: megatron-gpt-1.7b
cluster: dgx-a100-80gb
gpus: 8
parallel: {zero_stage: 3}
training: {seq_len: 2048, micro_batch: 1, global_batch: 8, recompute: full}
offload: {optimizer: nvme, params: nvme, pin_memory: true}
memory: {sub_group_size: 1e8}
)";

// P: the parameters of one GPU's partition (tp = pp = 1).
double partition(const Scenario& s) {
  return static_cast<double>(compute_memory(s).stages[0].params) / (s.parallel.dp * s.parallel.cp);
}

}  // namespace

TEST_CASE("aio overlap_events keeps the queue full; without it single_submit adds a system call per block") {
  // A shallow queue (64 KiB x 2) so the aio engine, not the drive, sets the rate.
  Scenario s = scenario(kInfinity, {"offload.aio_block_size=64KiB", "offload.aio_queue_depth=2"});
  const double w = 64.0 * 1024 * 2, lat = s.cluster.node.nvme_latency.value(),
               sub = s.cluster.node.aio_submit_latency.value(), drive = 9.3e9 / 8;
  const OffloadStep overlap = plan_offload(s, false);
  CHECK(overlap.rates.nvme_read == doctest::Approx(std::min(drive, w / (lat + sub))));
  s.offload.aio.single_submit = true;  // refills come one completion at a time: no effect with overlap
  CHECK(plan_offload(s, false).rates.nvme_read == doctest::Approx(overlap.rates.nvme_read));

  s.offload.aio.single_submit = false;
  s.offload.aio.overlap_events = false;  // submit a batch, wait for all of it
  const double batch = plan_offload(s, false).rates.nvme_read;
  CHECK(batch == doctest::Approx(w / (sub + lat + w / drive)));
  CHECK(batch < overlap.rates.nvme_read);
  s.offload.aio.single_submit = true;  // one io_submit per block
  const double singles = plan_offload(s, false).rates.nvme_read;
  CHECK(singles == doctest::Approx(w / (2 * sub + lat + w / drive)));
  CHECK(singles < batch);
  // Only the NVMe rates move; PCIe copies and CPU-Adam do not.
  CHECK(plan_offload(s, false).rates.h2d == doctest::Approx(overlap.rates.h2d));
  CHECK(plan_offload(s, false).rates.cpu_adam == doctest::Approx(overlap.rates.cpu_adam));
  // And the step: the same bytes, slower.
  Scenario fast = scenario(kInfinity, {"offload.aio_block_size=64KiB", "offload.aio_queue_depth=2"});
  const StepResult a = simulate_step(fast), b = simulate_step(s);
  CHECK(b.offload_nvme_read_bytes_per_gpu.value() == doctest::Approx(a.offload_nvme_read_bytes_per_gpu.value()));
  CHECK(b.step_time_s.value() > a.step_time_s.value());
}

TEST_CASE("offload_param.max_in_cpu keeps that much of the partition in host memory instead of on NVMe") {
  Scenario all_nvme = scenario(kInfinity, {"offload.max_in_cpu=0"});
  const double p = partition(all_nvme);
  Scenario half = scenario(kInfinity, {"offload.max_in_cpu=" + std::to_string(p / 2)});
  Scenario all_cpu = scenario(kInfinity);  // DeepSpeed's default 1e9 holds this whole partition
  REQUIRE(p < 1e9);
  const StepResult a = simulate_step(all_nvme), h = simulate_step(half), c = simulate_step(all_cpu);
  // Reads: the 12 B/param optimizer swap plus 2 B per parameter per gather of the NVMe part.
  CHECK(h.offload_nvme_read_bytes_per_gpu.value() < a.offload_nvme_read_bytes_per_gpu.value());
  CHECK(c.offload_nvme_read_bytes_per_gpu.value() < h.offload_nvme_read_bytes_per_gpu.value());
  const double fetched = a.offload_nvme_read_bytes_per_gpu.value() - c.offload_nvme_read_bytes_per_gpu.value();
  CHECK(a.offload_nvme_read_bytes_per_gpu.value() - h.offload_nvme_read_bytes_per_gpu.value() ==
        doctest::Approx(fetched / 2));
  CHECK(c.offload_nvme_write_bytes_per_gpu.value() == doctest::Approx(12 * p));  // only the optimizer states
  // Host memory gains what NVMe loses: 2 B per cached parameter per GPU.
  const MemoryResult ma = compute_memory(all_nvme), mh = compute_memory(half);
  CHECK((mh.host_peak_per_node - ma.host_peak_per_node).value() == doctest::Approx(8 * p / 2 * 2));
  CHECK((ma.nvme_peak_per_node - mh.nvme_peak_per_node).value() == doctest::Approx(8 * p / 2 * 2));
  // Nothing else: PCIe copies and GPU memory stay.
  CHECK(h.offload_pcie_h2d_bytes_per_gpu.value() == doctest::Approx(a.offload_pcie_h2d_bytes_per_gpu.value()));
  CHECK(h.peak_memory_bytes.value() == doctest::Approx(a.peak_memory_bytes.value()));
  // With the parameters on the CPU it has no meaning.
  Scenario cpu = scenario(kInfinity, {"offload.params=cpu"});
  Scenario cpu0 = scenario(kInfinity, {"offload.params=cpu", "offload.max_in_cpu=0"});
  CHECK(compute_memory(cpu).host_peak_per_node.value() ==
        doctest::Approx(compute_memory(cpu0).host_peak_per_node.value()));
}

TEST_CASE("ZeRO-2 CPU offload with gradient accumulation keeps a 16-bit gradient buffer in host memory") {
  const char* y = R"(model: megatron-gpt-1.7b
cluster: dgx-a100-80gb
gpus: 8
parallel: {zero_stage: 2}
training: {seq_len: 2048, micro_batch: 1, global_batch: 8, recompute: full, precision: bf16}
offload: {optimizer: cpu, pin_memory: true}
)";
  const Scenario one = scenario(y), four = scenario(y, {"training.global_batch=32"});
  const double p = partition(one);
  // stage_1_and_2.py buffer_to_accumulate_to_in_cpu: param.numel() of param.dtype (bf16: 2 B) per
  // partition parameter, per GPU; 8 GPUs a node.
  const double extra = (compute_memory(four).host_peak_per_node - compute_memory(one).host_peak_per_node).value();
  CHECK(extra == doctest::Approx(8 * 2 * p));
  Scenario fp32 = scenario(y, {"training.precision=fp32"}),
           fp32_four = scenario(y, {"training.precision=fp32", "training.global_batch=32"});
  CHECK((compute_memory(fp32_four).host_peak_per_node - compute_memory(fp32).host_peak_per_node).value() ==
        doctest::Approx(8 * 4 * p));
  // ZeRO-3 accumulates into its fp32 host gradient partition: no extra buffer; nor without offload.
  CHECK(compute_memory(scenario(y, {"parallel.zero_stage=3", "training.global_batch=32"})).host_peak_per_node.value() ==
        doctest::Approx(compute_memory(scenario(y, {"parallel.zero_stage=3"})).host_peak_per_node.value()));
  // GPU memory is unchanged by the host buffer.
  CHECK(compute_memory(four).peak.value() > 0);
  CHECK(compute_memory(four).at_peak.grads.value() == doctest::Approx(compute_memory(one).at_peak.grads.value()));
}
