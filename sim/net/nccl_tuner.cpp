// Transcription of NCCL's tuner (docs/reference/hardware.md §4c.4 [S1]); see nccl_tuner.hpp.
#include "sim/net/nccl_tuner.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace trainsim {
namespace {

int pi(NcclProto p) { return static_cast<int>(p); }

// baseLatencies (µs) [algo][proto]: Tree, Ring, NVLS, NVLSTree.
constexpr double kBaseLat[4][3] = {{6.8, 14.0, 8.4}, {6.6, 14.0, 8.4}, {0, 0, 0}, {0, 0, 0}};
// hwLatencies (µs per step) [NVLINK|PCI|NET][algo][proto].
constexpr double kHwLat[3][4][3] = {
    {{0.6, 1.25, 4.0}, {0.6, 1.9, 3.4}, {0, 0, 25}, {0, 0, 25}},   // NVLINK
    {{1.0, 1.9, 4.0}, {1.0, 2.5, 5.7}, {0, 0, 0}, {0, 0, 0}},      // PCI
    {{5.0, 8.5, 14}, {2.7, 4.0, 14.0}, {0, 0, 18}, {0, 0, 20.9}},  // NET
};
constexpr int kNet = 2;

// Bandwidth caps (GB/s) [row][nodes index {1, 2, >=3}]; see llMaxBw's row quirk below.
constexpr double kLLMaxBw[4][3] = {{39.0, 39.0, 20.4}, {87.7, 22.5, 19.0}, {141.0, 45.0, 35.0}, {282.0, 90.0, 70.0}};
// Rows: Ampere, Hopper, Blackwell (compCapIndex of tuning.cc; Volta is not modelled).
constexpr double kPerChRingLL128[3][3] = {{20, 20, 20}, {36.7, 36.7, 36.7}, {40.0, 40.0, 40.0}};
constexpr double kPerChTreeLL128[3][3] = {{20, 20, 20}, {36.7, 36.7, 29.0}, {55.6, 31.67, 20.0}};
constexpr double kPerChTree[3][3] = {{24.0, 23.6, 17.8}, {38.7, 41.4, 36.0}, {70.0, 42.8, 24.0}};
constexpr double kNvlsEfficiency[3] = {0.0, 0.85, 0.74};
// nvlsChannels (src/transport/nvls.cc): 16 on sm90 ("should not need more"),
// 24 on sm100 within one NVLink domain (NVLS_NCHANNELS_SM100_NVL) [S1].
constexpr int kMaxNvlsChannels[3] = {16, 16, 24};

// treeCorrectionFactor[proto][log2(bytes) - 6], 64 B ... 256 MB.
constexpr double kTreeCorrection[3][24] = {
    {1.0, 1.0, 1.0, 1.0, .9, .8, .7, .7, .7, .7, .6, .5, .4, .4, .5, .6, .7, .8, .9, 1.0, 1.0, 1.0, 1.0, 1.0},
    {1.0, 1.0, 1.0, 1.0, 1.0, .9, .8, .8, .8, .7, .6, .6, .6, .6, .6, .6, .8, .9, .9, .9, .9, 1.0, 1.0, 1.0},
    {.9, .9, .9, .9, .9, .9, .9, .8, .7, .6, .6, .5, .5, .5, .5, .6, .7, .8, .7, .7, .8, .9, .9, .9},
};

// hwLatencies of one path, with the card's extra latency per step (never below 0).
double hw_lat(const NcclComm& c, int path, int algo, NcclProto p) {
  return std::max(0.0, kHwLat[path][algo][pi(p)] + c.hw_extra_us[static_cast<std::size_t>(path)]);
}

int arch_index(GpuArch a) { return a == GpuArch::blackwell ? 2 : a == GpuArch::hopper ? 1 : 0; }
int nodes_index(int nodes) { return nodes <= 1 ? 0 : nodes == 2 ? 1 : 2; }
int ppn(const NcclComm& c) { return c.ranks / c.nodes; }

double ll_max_bw(const NcclComm& c) {
  // Single node: the row is the GPU arch (Ampere 1, Hopper 2, Blackwell 3);
  // multi-node: the row is the CPU vendor (Intel 0, AMD 1), the column the node count.
  if (c.nodes == 1) return kLLMaxBw[arch_index(c.arch) + 1][0];
  return kLLMaxBw[c.cpu == CpuVendor::amd ? 1 : 0][nodes_index(c.nodes)];
}

// NCCL's tables are indexed by its own algorithms only.
void require_nccl_algo(NcclAlgo a) {
  if (a == NcclAlgo::hierarchical)
    throw std::logic_error("hierarchical is not an NCCL algorithm: it has no entry in NCCL's tuner tables");
}

bool enabled(const NcclComm& c, NcclAlgo a, NcclProto p) {
  if (a == NcclAlgo::hierarchical) return false;  // three NCCL calls, predicted by collective.cpp
  bool ag_rs = c.op == NcclOp::all_gather || c.op == NcclOp::reduce_scatter;
  if (a == NcclAlgo::tree && c.op != NcclOp::all_reduce) return false;
  if (p == NcclProto::ll128 && c.intra != IntraLink::nvlink) return false;  // needs intra path <= NVB
  if (a == NcclAlgo::nvls || a == NcclAlgo::nvls_tree) {
    if (p != NcclProto::simple || !c.nvls || c.channels < 2) return false;
    if (!(c.op == NcclOp::all_reduce || ag_rs)) return false;
    // Multi-node NVLS and NVLSTree need CollNet/SHARP, off by default; NVLSTree is off on one node.
    return a == NcclAlgo::nvls && c.nodes == 1;
  }
  return true;
}

double ring_like_latency(const NcclComm& c, NcclProto p, double intra_lat, double inter_lat) {
  double lat = kBaseLat[1][pi(p)];
  if (c.op == NcclOp::broadcast || c.op == NcclOp::reduce) return lat + nccl_ring_steps(c) * intra_lat;
  double overhead = 0;
  if (c.nodes > 1) overhead = (c.cpu == CpuVendor::amd ? 2.0 : 1.0) * (p == NcclProto::simple ? 3 : 1);
  intra_lat = std::max(intra_lat, overhead);
  int inter_steps = c.nodes == 1 ? 0 : (c.op == NcclOp::all_reduce ? 2 * (c.nodes - 1) : c.nodes - 1);
  return lat + (nccl_ring_steps(c) - inter_steps) * intra_lat + inter_steps * inter_lat;
}

double bus_bw(const NcclComm& c, NcclAlgo a, NcclProto p) {
  int ai = arch_index(c.arch), ni = nodes_index(c.nodes), ch = c.channels;
  if (a == NcclAlgo::nvls || a == NcclAlgo::nvls_tree) ch = std::min(ch, kMaxNvlsChannels[ai]);
  double bw = c.nodes <= 2 ? c.bw_intra : c.bw_inter;
  if (a == NcclAlgo::nvls || a == NcclAlgo::nvls_tree) {
    double intra = c.bw_intra * kNvlsEfficiency[ai] * (ch - 1) / ch;
    intra *= c.op == NcclOp::all_reduce ? 2.0 : (ppn(c) - 1.0) / ppn(c);
    bw = intra;
    if (c.nodes > 1) bw = std::min(bw, c.bw_inter * (c.nodes <= 2 && a == NcclAlgo::nvls_tree ? 2 : 1));
  }
  double bus = ch * bw;
  if (a == NcclAlgo::ring && p == NcclProto::ll) return std::min(ll_max_bw(c), bus * 0.5);
  if (a == NcclAlgo::ring && p == NcclProto::ll128) return std::min(bus * 0.92, ch * kPerChRingLL128[ai][ni]);
  if (a == NcclAlgo::tree) {
    if (p == NcclProto::simple) return std::min(bus * 0.92, ch * kPerChTree[ai][ni]);
    if (p == NcclProto::ll) return std::min(bus / 3.8, ll_max_bw(c));
    return std::min(bus * (c.nodes == 1 ? 7.0 / 9.0 : 120.0 / 128.0), ch * kPerChTreeLL128[ai][ni]);
  }
  return bus;
}

}  // namespace

int nccl_ring_steps(const NcclComm& c) {
  switch (c.op) {
    case NcclOp::all_reduce: return 2 * (c.ranks - 1);
    case NcclOp::all_gather:
    case NcclOp::reduce_scatter: return c.ranks - 1;
    default: return c.ranks;
  }
}

double nccl_step_latency_us(const NcclComm& c, NcclAlgo a, NcclProto p) {
  require_nccl_algo(a);
  const int path = c.nodes > 1 ? kNet : c.intra == IntraLink::nvlink ? 0 : 1;
  return hw_lat(c, path, static_cast<int>(a), p);
}

double nccl_latency_us(const NcclComm& c, NcclAlgo a, NcclProto p) {
  require_nccl_algo(a);
  int ai = static_cast<int>(a);
  int intra_hw = c.intra == IntraLink::nvlink ? 0 : 1;
  double intra_lat = hw_lat(c, intra_hw, ai, p);
  double inter_lat = hw_lat(c, kNet, ppn(c) == 1 ? 0 : ai, p) + c.latency_inter;
  if (p == NcclProto::simple) inter_lat += c.latency_inter;  // "flush extra latency"
  switch (a) {
    case NcclAlgo::ring: return ring_like_latency(c, p, intra_lat, inter_lat);
    case NcclAlgo::tree: return kBaseLat[0][pi(p)] + 2 * ((ppn(c) - 1) * intra_lat + std::log2(c.nodes) * inter_lat);
    case NcclAlgo::nvls: return intra_lat + (c.nodes > 1 ? inter_lat : 0);
    case NcclAlgo::nvls_tree: return intra_lat + 2 * std::log2(c.nodes) * inter_lat;
    case NcclAlgo::hierarchical: break;
  }
  return 0;
}

std::optional<NcclEstimate> nccl_estimate(const NcclComm& c, NcclAlgo a, NcclProto p) {
  if (!enabled(c, a, p)) return std::nullopt;
  NcclEstimate e;
  e.algo = a;
  e.proto = p;
  e.latency_us = nccl_latency_us(c, a, p);
  e.bus_bw = bus_bw(c, a, p);
  bool ring_like = a != NcclAlgo::tree;
  bool ag_rs = c.op == NcclOp::all_gather || c.op == NcclOp::reduce_scatter;
  double ratio = ring_like ? static_cast<double>(c.ranks) / nccl_ring_steps(c) : 0.5;
  e.alg_bw = (ag_rs && a != NcclAlgo::ring) ? e.bus_bw : e.bus_bw * ratio;
  return e;
}

NcclEstimate nccl_pick(const NcclComm& card, double bytes, std::optional<NcclAlgo> algo,
                       std::optional<NcclProto> proto) {
  // NCCL chooses from its own constant table: it never measures the links. The
  // card's extra latency (hw_extra_us) is paid on top of the chosen pair's steps,
  // so a slower link never changes the choice and never shortens the call.
  NcclComm c = card;
  c.hw_extra_us = {0.0, 0.0, 0.0};
  NcclEstimate best;
  double best_time = std::numeric_limits<double>::infinity();
  for (NcclAlgo a : {NcclAlgo::tree, NcclAlgo::ring, NcclAlgo::nvls, NcclAlgo::nvls_tree})
    for (NcclProto p : {NcclProto::ll, NcclProto::ll128, NcclProto::simple}) {
      if ((algo && a != *algo) || (proto && p != *proto)) continue;
      std::optional<NcclEstimate> e = nccl_estimate(c, a, p);
      if (!e || !(e->alg_bw > 0)) continue;
      // Call-time corrections (ncclTopoGetAlgoTime): the tree's size-dependent
      // bandwidth factor, and the ring/Simple multi-node all-reduce plateau.
      if (a == NcclAlgo::tree && c.op == NcclOp::all_reduce) {
        int idx = std::clamp(static_cast<int>(std::log2(std::max(bytes, 64.0))) - 6, 0, 23);
        e->alg_bw *= kTreeCorrection[pi(p)][idx];
      }
      if (a == NcclAlgo::ring && p == NcclProto::simple && c.op == NcclOp::all_reduce && c.nodes > 1 &&
          bytes / (c.channels * c.ranks) >= 64)
        e->latency_us *= 1.4;
      double t = e->time_us(bytes);
      if (t < best_time) {
        best_time = t;
        best = *e;
      }
    }
  if (best.alg_bw > 0)
    best.latency_us += nccl_latency_us(card, best.algo, best.proto) - nccl_latency_us(c, best.algo, best.proto);
  return best;
}

}  // namespace trainsim
