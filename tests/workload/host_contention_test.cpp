// Offload traffic on the node's PCIe tree and memory buses
// (sim/workload/host_contention.hpp): NVMe swaps through the drive's PCIe
// switch meet the neighbour GPU's host copies there; CPU-Adam's DRAM traffic
// meets the copies on the memory buses. Each test keeps every alone rate
// equal between the two runs it compares, so only the contention differs.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/load/scenario_loader.hpp"
#include "sim/load/zoo.hpp"
#include "sim/workload/offload_plan.hpp"
#include "sim/workload/step_sim.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::scenario;

double lane_seconds(const StepResult& r, Lane lane) {
  double t = 0;
  for (const TraceSpan& sp : r.spans)
    if (sp.lane == lane) t += sp.end_s.value() - sp.start_s.value();
  return t;
}

HostActivity mix(int copy, int nvme, bool adam) {
  HostActivity a;
  a.copy = copy;
  a.nvme = nvme;
  a.adam = adam;
  return a;
}

// ZeRO-3 with the optimizer on NVMe: per sub-group, the updated 16-bit weights
// go up (h2d) while the states are written back to the drive.
const char* kNvme = R"(model: megatron-gpt-1.7b
cluster: dgx-a100-80gb
gpus: 8
parallel: {zero_stage: 3}
training: {seq_len: 2048, micro_batch: 1, global_batch: 8, recompute: full}
offload: {optimizer: nvme, pin_memory: true}
memory: {sub_group_size: 1e8}
)";

}  // namespace

TEST_CASE("NVMe swaps share the drive's PCIe switch with the neighbour's copies: the step slows") {
  // A 2.2 GB/s PCIe tree: alone, each GPU's swap is held by its drive (8.2 GB/s / 4 drives / 2 GPUs),
  // wherever the drive sits; a switch's two h2d copies and two swaps then need more than its downlink.
  Scenario on_switch = scenario(kNvme);
  on_switch.cluster.node.pcie.bandwidth = Bandwidth(2.2e9);
  Scenario on_cpu = on_switch;
  on_cpu.cluster.node.pcie.nvme_per_switch = 0;  // the drives on the CPUs' own lanes
  const OffloadStep a = plan_offload(on_switch, false), b = plan_offload(on_cpu, false);
  CHECK(a.rates.nvme_write == doctest::Approx(8.2e9 / 8));
  CHECK(a.rates.nvme_write == doctest::Approx(b.rates.nvme_write));
  CHECK(a.rates.h2d == doctest::Approx(b.rates.h2d));
  CHECK(a.rates.share_of(mix(2, 2, false), HostUse::nvme) < 0.9);
  CHECK(a.rates.share_of(mix(2, 2, false), HostUse::copy) < 1.0);
  CHECK(b.rates.share_of(mix(2, 2, false), HostUse::nvme) == 1.0);

  StepOptions rec;
  rec.record_timeline = true;
  const StepResult x = simulate_step(on_switch, rec), y = simulate_step(on_cpu, rec);
  CHECK(x.offload_nvme_write_bytes_per_gpu.value() == doctest::Approx(y.offload_nvme_write_bytes_per_gpu.value()));
  CHECK(x.offload_pcie_h2d_bytes_per_gpu.value() == doctest::Approx(y.offload_pcie_h2d_bytes_per_gpu.value()));
  CHECK(x.step_time_s.value() > y.step_time_s.value());
  // Bytes and time agree: with nothing in the way the NVMe lane is busy bytes / rate; shared, longer.
  const double alone = y.offload_nvme_read_bytes_per_gpu.value() / b.rates.nvme_read +
                       y.offload_nvme_write_bytes_per_gpu.value() / b.rates.nvme_write;
  CHECK(lane_seconds(y, Lane::nvme) == doctest::Approx(alone).epsilon(1e-6));
  CHECK(lane_seconds(x, Lane::nvme) > alone * 1.01);
}

TEST_CASE("CPU-Adam and the host copies share the memory buses") {
  // DGX H100: a socket's four Gen5 copies (4 x 64 GB/s) and a CPU-Adam of 20e9 parameters/s
  // (28 B each, 280 GB/s a socket) each fit its 307 GB/s bus alone, not together: while a
  // sub-group's weights go up, the next sub-group's CPU-Adam slows.
  const char* y = R"(model: llama-2-13b
cluster: dgx-h100-80gb
gpus: 8
parallel: {zero_stage: 3}
training: {seq_len: 2048, micro_batch: 1, global_batch: 8, recompute: full}
offload: {optimizer: cpu, pin_memory: true, cpu_adam_throughput: 20B}
memory: {sub_group_size: 1e8}
)";
  Scenario card = scenario(y);
  Scenario wide = card;
  wide.cluster.node.host_memory_bandwidth = card.cluster.node.host_memory_bandwidth * 4;
  const OffloadStep a = plan_offload(card, false), b = plan_offload(wide, false);
  CHECK(a.rates.h2d == doctest::Approx(b.rates.h2d));
  CHECK(a.rates.cpu_adam == doctest::Approx(b.rates.cpu_adam));
  CHECK(a.rates.cpu_adam == doctest::Approx(20e9 / 8));
  CHECK(a.rates.share_of(mix(2, 0, true), HostUse::copy) < 1.0);
  CHECK(a.rates.share_of(mix(2, 0, true), HostUse::adam) < 1.0);
  CHECK(b.rates.share_of(mix(2, 0, true), HostUse::copy) == 1.0);
  CHECK(b.rates.share_of(mix(2, 0, true), HostUse::adam) == 1.0);
  const StepResult narrow = simulate_step(card), broad = simulate_step(wide);
  CHECK(narrow.offload_pcie_h2d_bytes_per_gpu.value() == doctest::Approx(broad.offload_pcie_h2d_bytes_per_gpu.value()));
  CHECK(narrow.step_time_s.value() > broad.step_time_s.value());
  CHECK(narrow.breakdown.optimizer.value() > broad.breakdown.optimizer.value());  // CPU-Adam took longer

  // Halving the node's DRAM bandwidth (153.5 GB/s a socket) slows the step again: the copies
  // no longer fit a bus even alone, and with CPU-Adam they get less still.
  Scenario half = card;
  half.cluster.node.host_memory_bandwidth = card.cluster.node.host_memory_bandwidth * 0.5;
  CHECK(simulate_step(half).step_time_s.value() > narrow.step_time_s.value());
}
