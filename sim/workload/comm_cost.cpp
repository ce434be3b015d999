#include "sim/workload/comm_cost.hpp"

#include <algorithm>

namespace trainsim {

CommCost::CommCost(const ClusterSpec& cluster, bool ideal) : cluster_(cluster), ideal_(ideal) {}

double CommCost::time(CollectiveOp op, double bytes, const GroupPlacement& g) {
  if (ideal_ || g.ranks <= 1 || bytes <= 0) return 0;
  auto key = std::make_tuple(static_cast<int>(op), bytes, g.ranks, g.nodes, g.per_node);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  const int gpn = std::max(1, cluster_.node.gpus);
  const int nics = std::max(1, cluster_.node.nics.count * std::min(g.per_node, gpn) / gpn);
  CollectiveRequest r;
  r.op = op;
  r.ranks = g.ranks;
  r.bytes = bytes;
  double t = predict_collective(cluster_, r, g.nodes, nics).time_s;
  cache_.emplace(key, t);
  return t;
}

double CommCost::send_time(double bytes, bool same_node) {
  GroupPlacement g{2, same_node ? 1 : 2, same_node ? 2 : 1};
  return time(CollectiveOp::send_recv, bytes, g);
}

double bytes_sent_per_gpu(CollectiveOp op, double bytes, int n) {
  if (n <= 1) return 0;
  switch (op) {
    case CollectiveOp::all_reduce: return 2.0 * (n - 1) / n * bytes;
    case CollectiveOp::all_gather:
    case CollectiveOp::reduce_scatter:
    case CollectiveOp::all_to_all: return static_cast<double>(n - 1) / n * bytes;
    default: return bytes;
  }
}

}  // namespace trainsim
