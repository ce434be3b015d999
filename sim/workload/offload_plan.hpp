// What a step moves between GPU, host memory and NVMe when DeepSpeed offloads
// (ZeRO-Offload, ZeRO-Infinity), and how fast: computed once per step from
// the scenario and the cluster card (step_plan.hpp holds it).
//
// Traffic per step per GPU, with P = the GPU's partition of its stage's
// parameters (Psi / N for N = dp x cp, tp = pp = 1), m micro-batches per step,
// bf16/fp16 training (2-byte weights and gradients). These are DeepSpeed's
// dtypes as its code moves them (a non-blocking copy_ converts on the GPU,
// a blocking one on the CPU: PyTorch copy_kernel_cuda):
//
//  optimizer on cpu, ZeRO-1/2 (stage_1_and_2.py, cpu_offload):
//    d2h  4P at the accumulation boundary: each reduced gradient bucket's
//         partition, cast to fp32 on the GPU (async_inplace_copy_grad_to_fp32_
//         buffer_from_gpu), right after its reduce-scatter;
//         ZeRO-2 with m > 1 also accumulates through the host: 2P down after
//         micro-batch 0 and 2P up in each later micro-batch
//         (async_accumulate_grad_in_cpu_via_gpu); ZeRO-1 accumulates in HBM.
//    h2d  2P after CPU-Adam: the fp32 partition copied into the 16-bit one
//         (blocking copy_, cast on the CPU), before the parameter all-gather.
//    So m = 1: 4P down, 2P up (the ZeRO-Offload paper's 2P + 2P counts the
//    gradient in fp16; DeepSpeed's code sends fp32).
//  optimizer on cpu, ZeRO-3 (stage3.py partition_grads): the same gradient
//    traffic per reduce-scatter bucket; the updated 16-bit partition goes up
//    per sub-group (memory.sub_group_size), 2P in all, unless the parameters
//    are offloaded too (then they are updated in host memory: no h2d).
//  optimizer on nvme (ZeRO-Infinity, swap_tensor/partitioned_optimizer_
//    swapper.py): the optimizer states of each sub-group, K = 12 B per
//    parameter for mixed-precision Adam (fp32 master, momentum, variance), are
//    read from NVMe into pinned host buffers and written back: 12P read and
//    12P written per step. The fp32 gradients stay in host memory.
//  params on cpu (ZeRO-3, partitioned_param_coordinator.py): every gather of a
//    layer first copies the GPU's 16-bit partition of it up: 2P per pass,
//    forward and backward of every micro-batch (4Pm, plus recompute nothing:
//    the backward gather serves the recompute too).
//  params on nvme: the same, read from NVMe into a host buffer first (2P read
//    per gather), and the updated 16-bit partition written back after the
//    step (2P written); except the first offload_param.max_in_cpu elements of
//    the partition, which stay in host memory (stage3.py; memory_model.cpp):
//    NVMe moves the fraction max(0, P - max_in_cpu) / P of each of these.
//
// Rates: each kind of traffic alone, with every GPU of the node doing the
// same, solved max-min on the node's PCIe tree and memory buses
// (host_contention.hpp): host copies times node.pcie.pinned_efficiency (and
// node.pcie.pageable_factor unless offload.pin_memory); NVMe swaps between
// the GPU's nearest drive and host memory, then bounded by DeepSpeed's aio
// engine (csrc/aio/common/deepspeed_aio_common.cpp), W = aio_block_size x
// aio_queue_depth x aio_thread_count bytes per GPU, L = node.nvme_latency,
// t = node.aio_submit_latency, B = the solved drive-path rate:
//   overlap_events (do_aio_operation_overlap keeps the queue full, one
//   io_submit per refill): min(B, W / (L + t)), Little's law;
//   no overlap_events (do_aio_operation_sequential submits a batch, then waits
//   for all of it): W / (S + L + W / B), with S = t for one io_submit per batch
//   and S = aio_queue_depth x t with single_submit (one call per block).
// CPU-Adam: node.cpu_adam_throughput (or offload.cpu_adam_throughput) split
// among the node's GPUs (one optimizer process each), each needing 28 B of
// DRAM traffic per parameter (fp32 p, g, m, v read and p, m, v written,
// docs/reference/hardware.md §4f), so at most what the memory buses carry.
// While kinds run together (a copy during CPU-Adam, a swap beside a copy, a
// copy beside an inter-node collective), each keeps the share of its alone
// rate the joint solve gives it (OffloadRates::share_of); the step engine
// applies it while they overlap.
#pragma once

#include <algorithm>
#include <array>
#include <vector>

#include "sim/spec/scenario.hpp"
#include "sim/workload/host_contention.hpp"
#include "sim/parallel/layout.hpp"

namespace trainsim {

struct OffloadRates {
  double d2h = 0, h2d = 0;               // bytes/s of one GPU's host copies, every GPU of its node copying
  double nvme_read = 0, nvme_write = 0;  // bytes/s per GPU, every GPU swapping (aio-bounded)
  double cpu_adam = 0;                   // parameters per second per GPU
  // share[mix][use]: the fraction of its alone rate `use` keeps in the mix
  // (HostActivity::index()); empty when nothing is offloaded (all 1).
  std::vector<std::array<double, kHostUses>> share;
  // nic[mix]: bytes/s GPU 0's NIC traffic gets in the mix when it takes all
  // the NIC gives (the slower direction); empty when the DP traffic stays in
  // the node or nothing is offloaded.
  std::vector<double> nic;
  double share_of(const HostActivity& a, HostUse u) const {
    return share.empty() ? 1.0 : share[static_cast<size_t>(a.index())][static_cast<size_t>(use_index(u))];
  }
  // The fraction of its alone rate an inter-node collective keeps in mix `a`
  // when, alone, it draws `need` bytes/s through the NIC (CommCost::nic_rate):
  // it slows only once the mix leaves its NIC traffic less than it needs,
  // min(1, nic[a] / min(need, nic alone)). A collective that takes all the
  // NIC gives alone (need 0 or above that rate) keeps share_of(a, nic); one
  // capped below the line rate by its protocol (NCCL's LL, src/graph/
  // tuning.cc llMaxBw) keeps more, so a faster NIC never slows it.
  double nic_share(const HostActivity& a, double need) const {
    const size_t alone = static_cast<size_t>(HostActivity{0, 0, true, false}.index());
    if (!a.nic || nic.size() <= alone || !(need > 0) || need >= nic[alone]) return share_of(a, HostUse::nic);
    return std::min(1.0, nic[static_cast<size_t>(a.index())] / need);
  }
};

struct OffloadStep {
  bool active = false;     // anything offloaded
  bool optimizer = false;  // optimizer states off the GPU (cpu or nvme)
  bool optimizer_nvme = false;
  bool params = false;  // ZeRO-3 parameters off the GPU (cpu or nvme)
  bool params_nvme = false;
  double grad_boundary_bytes = 4;     // per parameter, d2h at the accumulation boundary (fp32)
  double grad_accum_bytes = 2;        // per parameter, host accumulation copies (16-bit)
  double weight_bytes = 2;            // per parameter, updated / fetched weights
  double state_bytes = 12;            // per parameter, optimizer states swapped (NVMe)
  double sub_group = 1e9;             // parameters per optimizer sub-group (ZeRO-3; 0: one per tensor)
  std::vector<double> stage_tensors;  // parameter tensors of each pipeline stage (model/params.hpp)
  int swap_ahead = 0;                 // NVMe sub-group reads issued ahead of the one stepping
  double max_in_cpu = 1e9;            // params on nvme: partition elements kept in host memory instead
  OffloadRates rates;
};

// The offload of a validated scenario; `dp_crosses_nodes`: the shard group
// spans several nodes (its traffic goes through the NICs). Pure apart from
// building a two-node topology graph when something is offloaded. Throws
// ConfigError naming the keys when a rate it needs comes out at 0.
OffloadStep plan_offload(const Scenario& s, bool dp_crosses_nodes);

// The time to copy `bytes` at `rate` bytes/s (0 for bytes <= 0; a rate that
// is not positive is a broken invariant: plan_offload refuses it).
Seconds copy_seconds(Bytes bytes, double rate);

}  // namespace trainsim
