// Execution model of one NCCL call on top of the tuner; see nccl_exec.hpp.
#include "sim/net/nccl_exec.hpp"

#include <algorithm>
#include <cmath>

namespace trainsim {
namespace {

// Data in flight per pipeline step (bytes), from NCCL's buffer constants [S1]
// (derivation in nccl_exec.hpp).
constexpr double kChunkLL = 32768.0;
constexpr double kChunkLL128 = 576000.0;
constexpr double kChunkSimple = 2097152.0;

double chunk_bytes(NcclProto p) {
  switch (p) {
    case NcclProto::ll: return kChunkLL;
    case NcclProto::ll128: return kChunkLL128;
    case NcclProto::simple: return kChunkSimple;
  }
  return kChunkSimple;
}

// Steps the first chunk crosses after the first one.
double pipeline_depth(const NcclComm& c, NcclAlgo a) {
  int ppn = std::max(1, c.ranks / std::max(1, c.nodes));
  switch (a) {
    case NcclAlgo::ring: return nccl_ring_steps(c) - 1;
    case NcclAlgo::tree: return 2.0 * ((ppn - 1) + std::ceil(std::log2(std::max(1, c.nodes)))) - 1;
    case NcclAlgo::nvls:
    case NcclAlgo::nvls_tree: return c.ranks - 1;
    case NcclAlgo::hierarchical: break;  // never an NcclEstimate's algorithm
  }
  return 0;
}

}  // namespace

NcclExecParams nccl_exec_defaults(GpuArch arch) {
  NcclExecParams p;
  if (arch == GpuArch::hopper) {
    p.launch_us = 11.0;                   // ND H100 v5 floor [S5]
    p.ring_efficiency = 365.6 / 370.8;    // NVLink4 ring, NVLS off [S3]
  }
  return p;
}

NcclExecTime nccl_exec_time(const NcclComm& c, const NcclEstimate& e, double bytes, const NcclExecParams& p) {
  NcclExecTime t;
  t.fixed_us = p.launch_us + e.latency_us;
  double eff = (e.algo == NcclAlgo::nvls || e.algo == NcclAlgo::nvls_tree) ? p.nvls_efficiency : p.ring_efficiency;
  double alg_bytes_per_us = 1000.0 * e.alg_bw * eff;  // GB/s -> bytes/µs
  if (!(alg_bytes_per_us > 0)) return t;
  // nccl-tests' busbw / algbw = nsteps / n (formulas.md §6).
  double bus_bytes_per_us = alg_bytes_per_us * nccl_ring_steps(c) / c.ranks;
  double fill = pipeline_depth(c, e.algo) * std::min(bytes / c.ranks, chunk_bytes(e.proto)) / bus_bytes_per_us;
  t.bytes_us = fill + bytes / alg_bytes_per_us;
  return t;
}

}  // namespace trainsim
