// What one collective call takes once NCCL has chosen its (algorithm,
// protocol) with its tuner (nccl_tuner.hpp). The tuner's estimate is NCCL's
// own ranking model, not a measurement: against nccl-tests it leaves out
//   1. a per-call floor (kernel launch, host-side enqueue, the proxy thread),
//   2. the pipeline fill: the first chunk crosses every step of the algorithm
//      before the links stream at full rate,
//   3. the gap between the modelled and the achieved bus bandwidth, and
//   4. the channels NCCL drops for small calls after its choice (topoGetAlgoInfo:
//      fewer channels than the tuner assumed, so less bandwidth; §4c.4 [S1]).
// This model adds the four to the tuner's terms:
//   time = launch + tuner latency + fill + bytes / (algbw on the channels used x efficiency)
//   fill = D x min(bytes / ranks, chunk) / (tuner busbw x efficiency)
// D is the pipeline depth (ring: nsteps - 1; NVLS: ranks - 1; tree: twice the
// tree's depth). chunk is the data NCCL keeps in flight per step for the
// protocol, from its buffer constants [S1 device.h]: LL 512 KiB buffer / 8
// steps, half payload = 32 KiB; LL128 120 x 640 x 8 x 8 B / 8 steps x 120/128
// = 576,000 B; Simple 4 MiB / 8 steps x 4 chunk steps = 2 MiB.
// Calibration: tests/net/collective_test.cpp prints the per-size comparison with
// data/reference/nccl_allreduce_single_node.csv [S5].
#pragma once

#include "sim/net/nccl_tuner.hpp"

namespace trainsim {

struct NcclExecParams {
  // Per-call floor (µs). Default: the small-message floor of nccl-tests on the
  // reference systems minus the tuner's Ring/LL latency, fitted on the CSV's
  // sizes below 1 MiB [S5] with the channel count NCCL runs small calls on
  // (nccl_exec.cpp): 25 µs on HGX A100 (ND A100 v4), 10 µs on HGX H100
  // (ND H100 v5). A DGX H100 measures 13.7 µs in all at 8 B (docs/reference/hardware.md §4c.3a).
  double launch_us = 25.0;
  // Achieved / modelled bus bandwidth at 8 GiB, per algorithm. Defaults:
  // ring 231.58/240 on A100 [S5]; ring 365.6/370.8 on H100-class NVLink4
  // (NVLS off, docs/reference/hardware.md §4c.3c [S3]); NVLS 478.87/524.84 on H100 [S5];
  // tree takes the ring's value (no measurement in the reference).
  double ring_efficiency = 231.58 / 240.0;
  double nvls_efficiency = 478.87 / 524.84;
};

// The defaults above for a GPU generation.
NcclExecParams nccl_exec_defaults(GpuArch arch);

struct NcclExecTime {
  double fixed_us = 0;  // launch + the tuner's latency: independent of the size
  double bytes_us = 0;  // pipeline fill + streaming: what bandwidth sharing stretches
  double total_us() const { return fixed_us + bytes_us; }
};

// Time of one call of `bytes` (nccl-tests' size) with the tuner's estimate `e`
// for communicator `c`. Call-time corrections already applied to `e` are kept.
NcclExecTime nccl_exec_time(const NcclComm& c, const NcclEstimate& e, double bytes, const NcclExecParams& p);

}  // namespace trainsim
