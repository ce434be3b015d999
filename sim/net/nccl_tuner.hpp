// NCCL's own cost model: the latency and bandwidth its tuner predicts for each
// (algorithm, protocol) pair, and the pair it picks (minimum predicted time).
// A transcription of src/graph/tuning.cc (NCCL v2.30.7) as given in
// docs/reference/hardware.md §4c.4 [S1]; §4c.5 lists worked latencies that
// tests/net/nccl_tuner_test.cpp reproduces. Times in microseconds and bandwidths
// in GB/s (1e9 B/s), as NCCL writes them.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "sim/spec/gpu_spec.hpp"   // GpuArch
#include "sim/spec/nccl_algo.hpp"  // NcclAlgo, NcclProto

namespace trainsim {

enum class NcclOp { all_reduce, all_gather, reduce_scatter, broadcast, reduce };
enum class CpuVendor { intel, amd };
enum class IntraLink { nvlink, pci };

struct NcclComm {
  NcclOp op = NcclOp::all_reduce;
  int ranks = 8;  // GPUs in the communicator
  int nodes = 1;  // nodes they span (ranks / nodes per node)
  GpuArch arch = GpuArch::ampere;
  CpuVendor cpu = CpuVendor::intel;
  IntraLink intra = IntraLink::nvlink;
  int channels = 12;           // ring/tree channels found by NCCL's topology search
  double bw_intra = 20.0;      // GB/s per channel inside a node
  double bw_inter = 20.0;      // GB/s per channel across nodes
  bool nvls = false;           // NVLink SHARP available (H100 NVSwitch)
  double latency_inter = 0.0;  // µs, NCCL's extra network latency (0 by default)
  // µs added to each step's hwLatencies entry on the NVLINK, PCI and NET paths:
  // how much slower (or, negative, faster) the card's links are than the
  // hardware NCCL's table stands for (collective.hpp, card_latency_extra_us).
  // Each sum is floored at 0.
  std::array<double, 3> hw_extra_us{0.0, 0.0, 0.0};
};

struct NcclEstimate {
  NcclAlgo algo = NcclAlgo::ring;
  NcclProto proto = NcclProto::simple;
  double latency_us = 0;  // fixed cost
  double bus_bw = 0;      // GB/s, nccl-tests' busbw the model reaches
  double alg_bw = 0;      // GB/s of message per second (busbw x nRanks/nsteps, or x0.5)
  double time_us(double bytes) const { return latency_us + bytes / (1000.0 * alg_bw); }
};

// The model's estimate for one pair; empty when NCCL would not enable it.
std::optional<NcclEstimate> nccl_estimate(const NcclComm& c, NcclAlgo a, NcclProto p);

// The latency term alone (µs), for the worked examples of docs/reference/hardware.md §4c.5.
// Throws std::invalid_argument for NcclAlgo::hierarchical (not NCCL's).
double nccl_latency_us(const NcclComm& c, NcclAlgo a, NcclProto p);

// NCCL's hardware latency of one step (µs, hwLatencies) on the slowest path the
// group crosses: the network when it spans nodes, else NVLink or PCI.
// Throws std::invalid_argument for NcclAlgo::hierarchical (not NCCL's).
double nccl_step_latency_us(const NcclComm& c, NcclAlgo a, NcclProto p);

// NCCL's step count of a ring (nsteps): 2 (n - 1) for all-reduce, n - 1 for
// all-gather / reduce-scatter, n for broadcast / reduce. nccl-tests' bus
// bandwidth factor is nsteps / n for every op (docs/reference/formulas.md §6).
int nccl_ring_steps(const NcclComm& c);

// NCCL's choice for a message of `bytes`: the enabled pair of minimum time,
// with the call-time corrections applied. `algo` / `proto` restrict the choice
// as NCCL_ALGO / NCCL_PROTO do; nothing enabled gives alg_bw == 0. The choice
// is made on NCCL's table alone (hw_extra_us ignored, as NCCL does not measure
// the links); the chosen estimate's latency then includes hw_extra_us.
NcclEstimate nccl_pick(const NcclComm& c, double bytes, std::optional<NcclAlgo> algo = std::nullopt,
                       std::optional<NcclProto> proto = std::nullopt);

}  // namespace trainsim
