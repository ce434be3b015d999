// Hierarchical collectives as three NCCL calls; see collective_hierarchical.hpp.
#include "sim/net/collective_hierarchical.hpp"

#include <algorithm>
#include <stdexcept>

namespace trainsim {
namespace {

struct Shape {
  int nodes = 1;     // N
  int per_node = 1;  // p
  int nics = 1;      // NICs the group uses on each node
};

Shape shape_of(const ClusterSpec& c, const CollectiveRequest& r, int nodes, int nics) {
  if (r.op != CollectiveOp::all_reduce && r.op != CollectiveOp::all_gather && r.op != CollectiveOp::reduce_scatter)
    throw UnsupportedCollective(
        "network.algorithm",
        std::string("algorithm hierarchical runs all_reduce, all_gather and reduce_scatter, not ") + to_string(r.op));
  Shape s;
  s.nodes = nodes > 0 ? nodes : (r.ranks + c.node.gpus - 1) / c.node.gpus;
  if (s.nodes < 2)
    throw UnsupportedCollective("network.algorithm",
                                "algorithm hierarchical needs a group that spans at least two nodes");
  if (r.ranks % s.nodes != 0)
    throw UnsupportedCollective("network.algorithm",
                                "algorithm hierarchical needs the same number of GPUs on every node (" +
                                    std::to_string(r.ranks) + " GPUs on " + std::to_string(s.nodes) + " nodes)");
  s.per_node = r.ranks / s.nodes;
  s.nics = nics > 0 ? std::min(nics, c.node.nics.count) : c.node.nics.count;
  return s;
}

CollectivePhase intra(const ClusterSpec& c, CollectiveOp op, const Shape& s, double bytes, const CollectiveRequest& r) {
  CollectivePhase ph{op, false, s.per_node, 1, bytes, {}};
  ph.result = predict_collective(c, {op, s.per_node, bytes, std::nullopt, r.proto}, 1);
  return ph;
}

// The p sub-communicators of one GPU per node run at once and share the
// node's NICs: each gets max(1, NICs / p) of them (one rail each when every
// GPU has its own NIC, docs/reference/hardware.md §2.1, §2.2).
CollectivePhase inter(const ClusterSpec& c, CollectiveOp op, const Shape& s, double bytes, const CollectiveRequest& r) {
  CollectivePhase ph{op, true, s.nodes, s.nodes, bytes, {}};
  ph.result =
      predict_collective(c, {op, s.nodes, bytes, std::nullopt, r.proto}, s.nodes, std::max(1, s.nics / s.per_node));
  return ph;
}

}  // namespace

std::vector<CollectivePhase> hierarchical_phases(const ClusterSpec& c, const CollectiveRequest& r, int nodes,
                                                 int nics) {
  const Shape s = shape_of(c, r, nodes, nics);
  const double shard = r.bytes / s.per_node;  // what each local rank owns after the intra-node reduce-scatter
  std::vector<CollectivePhase> out;
  auto add_intra = [&](CollectiveOp op) {
    if (s.per_node > 1) out.push_back(intra(c, op, s, r.bytes, r));
  };
  switch (r.op) {
    case CollectiveOp::all_reduce:
      add_intra(CollectiveOp::reduce_scatter);
      out.push_back(inter(c, CollectiveOp::all_reduce, s, shard, r));
      add_intra(CollectiveOp::all_gather);
      break;
    case CollectiveOp::all_gather:
      out.push_back(inter(c, CollectiveOp::all_gather, s, shard, r));
      add_intra(CollectiveOp::all_gather);
      break;
    default:  // reduce_scatter (shape_of refused the rest)
      add_intra(CollectiveOp::reduce_scatter);
      out.push_back(inter(c, CollectiveOp::reduce_scatter, s, shard, r));
      break;
  }
  return out;
}

CollectiveResult predict_hierarchical(const ClusterSpec& c, const CollectiveRequest& r, int nodes, int nics) {
  CollectiveResult out;
  out.algorithm = to_string(NcclAlgo::hierarchical);
  for (const CollectivePhase& ph : hierarchical_phases(c, r, nodes, nics)) {
    out.time_s += ph.result.time_s;
    out.latency_s += ph.result.latency_s;
    if (ph.inter_node) out.protocol = ph.result.protocol;
  }
  return out;
}

}  // namespace trainsim
