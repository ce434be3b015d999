// Time and per-GPU send volume of the collectives a training step issues, on
// the group's actual placement, with the analytical NCCL model (sim/net).
//
// Concurrent groups share a node's NICs: a group with k members on a node of
// G GPUs runs next to G / k sibling groups (the other TP ranks' DP groups, ...)
// that all communicate at the same time in a training step, so it gets
// max(1, NICs x k / G) of the node's NICs (rail-optimised nodes give each GPU
// its own NIC: docs/reference/hardware.md §2.1, §2.2). Results are cached by (op, bytes, placement).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "sim/core/quantity.hpp"
#include "sim/net/collective.hpp"
#include "sim/spec/cluster_spec.hpp"
#include "sim/parallel/layout.hpp"

namespace trainsim {

class CommCost {
 public:
  // `ideal`: every transfer takes no time (StepOptions::ideal_network).
  // `algo`/`proto` force NCCL's algorithm and protocol (NCCL_ALGO/NCCL_PROTO)
  // where a call can run them; other calls get the tuner's choice and are
  // listed by fallbacks().
  explicit CommCost(const ClusterSpec& cluster, bool ideal = false, std::optional<NcclAlgo> algo = std::nullopt,
                    std::optional<NcclProto> proto = std::nullopt);

  // "all_gather on 16 GPUs over 2 nodes: tree cannot run it, NCCL's tuner chose ring/Simple", once per kind.
  const std::set<std::string>& fallbacks() const { return fallbacks_; }

  // The time one call of `op` over `bytes` (nccl-tests' size: the full buffer)
  // takes on a group placed as `g`. A group of one GPU takes 0. Records a
  // fallback when the forced algorithm/protocol cannot run the call.
  Seconds time(CollectiveOp op, Bytes bytes, const GroupPlacement& g);
  // NCCL's algorithm for the same call ("ring", "tree", "nvls", ...; "" when
  // the call takes no time). Not cached: for traced steps only.
  std::string algorithm(CollectiveOp op, Bytes bytes, const GroupPlacement& g);
  // Bytes per second one NIC carries while one call of `op` over `bytes` on a
  // group placed as `g` moves its data alone: the bytes a GPU sends
  // (bytes_sent_per_gpu, summed over NCCL's channels) on the wire of NCCL's
  // chosen protocol, over the call's time less its fixed latency, spread over
  // the NICs the group uses on a node (each channel's ring leaves a node once,
  // through one of them; the rings' hops all move at the ring's rate). The
  // wire carries more than the data
  // with LL (src/include/device.h ncclLLFifoLine: 8 bytes of data and two
  // 4-byte flags per 16-byte line, x2) and LL128 (NCCL_LL128_DATAELEMS: 15 of
  // the 16 8-byte elements of a line, x128/120); Simple sends the data. 0 for
  // a group inside one node, a call that takes no time or moves nothing.
  double nic_rate(CollectiveOp op, Bytes bytes, const GroupPlacement& g);
  // The time of a point-to-point send of `bytes` between two GPUs, on the same
  // node or not.
  Seconds send_time(Bytes bytes, bool same_node);

 private:
  CollectiveResult predict(const CollectiveRequest& r, const GroupPlacement& g, int nics);
  CollectiveResult predict(CollectiveOp op, Bytes bytes, const GroupPlacement& g);
  int nics_for(const GroupPlacement& g) const;  // the node's NICs a group of g's placement gets

  ClusterSpec cluster_;
  bool ideal_ = false;
  std::optional<NcclAlgo> algo_;
  std::optional<NcclProto> proto_;
  std::set<std::string> fallbacks_;
  std::map<std::tuple<int, double, int, int, int>, double> cache_;
  std::map<std::tuple<int, double, int, int, int>, double> nic_cache_;
};

// Bytes one GPU sends in one call (ring algorithms; docs/reference/formulas.md §6):
// all-reduce 2 (n-1)/n S, all-gather and reduce-scatter (n-1)/n S, send S.
Bytes bytes_sent_per_gpu(CollectiveOp op, Bytes bytes, int ranks);

}  // namespace trainsim
