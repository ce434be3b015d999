// Execution model of one NCCL call on top of the tuner; see nccl_exec.hpp.
#include "sim/net/nccl_exec.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

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

// Channels NCCL runs a Ring or Tree call on once it has picked (algorithm,
// protocol) (topoGetAlgoInfo, docs/reference/hardware.md §4c.4 [S1]): it drops channels while
// nBytes < channels x threads x threshold. Threads per channel: LL 512,
// LL128 640, Simple 512 plus one warp (ring) or four (tree); threshold (bytes
// per thread): NCCL_LL_THREAD_THRESHOLD 8 (x nRanks for Ring/LL), LL128 8,
// Simple 64. NVLS keeps its nvlsChannels. (NCCL then halves the threads of a
// last channel below the threshold: left out, those sizes are latency-bound.)
int channels_used(const NcclComm& c, const NcclEstimate& e, double bytes) {
  if (e.algo != NcclAlgo::ring && e.algo != NcclAlgo::tree) return c.channels;
  double threads = 512, threshold = 8;
  if (e.proto == NcclProto::ll && e.algo == NcclAlgo::ring) threshold = 8.0 * c.ranks;
  if (e.proto == NcclProto::ll128) threads = 640;
  if (e.proto == NcclProto::simple) {
    threads = e.algo == NcclAlgo::ring ? 512 + 32 : 512 + 4 * 32;
    threshold = 64;
  }
  double fit = std::floor(bytes / (threads * threshold));
  return static_cast<int>(std::clamp(fit, 1.0, static_cast<double>(c.channels)));
}

// The tuner's algorithm bandwidth (with its call-time corrections) on the
// channels the call runs on: NCCL's bandwidth model re-evaluated for them, so
// its caps (llMaxBw, per-channel maxima) still hold.
double alg_bw_on_channels_used(const NcclComm& c, const NcclEstimate& e, double bytes) {
  NcclComm used = c;
  used.channels = channels_used(c, e, bytes);
  if (used.channels == c.channels) return e.alg_bw;
  std::optional<NcclEstimate> all = nccl_estimate(c, e.algo, e.proto), part = nccl_estimate(used, e.algo, e.proto);
  if (!all || !part || !(all->bus_bw > 0)) return e.alg_bw;
  return e.alg_bw * part->bus_bw / all->bus_bw;
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
  if (arch != GpuArch::ampere) {        // Blackwell: the H100 fit until a Blackwell sweep exists (§1.5)
    p.launch_us = 10.0;                 // ND H100 v5 floor, fitted as launch_us says [S5]
    p.ring_efficiency = 365.6 / 370.8;  // NVLink4 ring, NVLS off [S3]
  }
  return p;
}

NcclExecTime nccl_exec_time(const NcclComm& c, const NcclEstimate& e, double bytes, const NcclExecParams& p) {
  NcclExecTime t;
  t.fixed_us = p.launch_us + e.latency_us;
  double eff = (e.algo == NcclAlgo::nvls || e.algo == NcclAlgo::nvls_tree) ? p.nvls_efficiency : p.ring_efficiency;
  double alg_bytes_per_us = 1000.0 * alg_bw_on_channels_used(c, e, bytes) * eff;  // GB/s -> bytes/µs
  if (!(alg_bytes_per_us > 0)) return t;
  // nccl-tests' busbw / algbw = nsteps / n (docs/reference/formulas.md §6).
  double bus_bytes_per_us = alg_bytes_per_us * nccl_ring_steps(c) / c.ranks;
  double fill = pipeline_depth(c, e.algo) * std::min(bytes / c.ranks, chunk_bytes(e.proto)) / bus_bytes_per_us;
  t.bytes_us = fill + bytes / alg_bytes_per_us;
  return t;
}

}  // namespace trainsim
