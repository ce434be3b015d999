#include "sim/workload/comm_cost.hpp"

#include <algorithm>

namespace trainsim {

CommCost::CommCost(const ClusterSpec& cluster, bool ideal, std::optional<NcclAlgo> algo, std::optional<NcclProto> proto)
    : cluster_(cluster), ideal_(ideal), algo_(algo), proto_(proto) {}

CollectiveResult CommCost::predict(const CollectiveRequest& r, const GroupPlacement& g, int nics) {
  if (!algo_ && !proto_) return predict_collective(cluster_, r, g.nodes, nics);
  CollectiveRequest forced = r;
  forced.algo = algo_;
  forced.proto = proto_;
  try {
    return predict_collective(cluster_, forced, g.nodes, nics);
  } catch (const UnsupportedCollective&) {  // the forced choice cannot run this call: NCCL's tuner picks
    CollectiveResult res = predict_collective(cluster_, r, g.nodes, nics);
    fallbacks_.insert(
        std::string(to_string(r.op)) + " on " + std::to_string(g.ranks) + " GPUs over " + std::to_string(g.nodes) +
        " node(s): network.algorithm/protocol cannot run it; NCCL's tuner chose " + res.algorithm + "/" + res.protocol);
    return res;
  }
}

int CommCost::nics_for(const GroupPlacement& g) const {
  const int gpn = std::max(1, cluster_.node.gpus);
  return std::max(1, cluster_.node.nics.count * std::min(g.per_node, gpn) / gpn);
}

CollectiveResult CommCost::predict(CollectiveOp op, Bytes bytes, const GroupPlacement& g) {
  const int nics = nics_for(g);
  CollectiveRequest r;
  r.op = op;
  r.ranks = g.ranks;
  r.bytes = bytes.value();
  return predict(r, g, nics);
}

Seconds CommCost::time(CollectiveOp op, Bytes bytes, const GroupPlacement& g) {
  if (ideal_ || g.ranks <= 1 || bytes.value() <= 0) return Seconds(0);
  auto key = std::make_tuple(static_cast<int>(op), bytes.value(), g.ranks, g.nodes, g.per_node);
  if (auto it = cache_.find(key); it != cache_.end()) return Seconds(it->second);
  double t = predict(op, bytes, g).time_s;
  cache_.emplace(key, t);
  return Seconds(t);
}

std::string CommCost::algorithm(CollectiveOp op, Bytes bytes, const GroupPlacement& g) {
  if (ideal_ || g.ranks <= 1 || bytes.value() <= 0) return "";
  return predict(op, bytes, g).algorithm;
}

double CommCost::nic_rate(CollectiveOp op, Bytes bytes, const GroupPlacement& g) {
  if (ideal_ || g.ranks <= 1 || g.nodes <= 1 || bytes.value() <= 0) return 0;
  auto key = std::make_tuple(static_cast<int>(op), bytes.value(), g.ranks, g.nodes, g.per_node);
  if (auto it = nic_cache_.find(key); it != nic_cache_.end()) return it->second;
  const CollectiveResult r = predict(op, bytes, g);
  const double moving = r.time_s - r.latency_s;
  const double wire = r.protocol == "LL" ? 2.0 : r.protocol == "LL128" ? 128.0 / 120.0 : 1.0;
  const double sent = wire * bytes_sent_per_gpu(op, bytes, g.ranks).value();
  const double rate = moving > 0 ? sent / moving / nics_for(g) : 0;
  nic_cache_.emplace(key, rate);
  return rate;
}

Seconds CommCost::send_time(Bytes bytes, bool same_node) {
  GroupPlacement g{2, same_node ? 1 : 2, same_node ? 2 : 1};
  return time(CollectiveOp::send_recv, bytes, g);
}

Bytes bytes_sent_per_gpu(CollectiveOp op, Bytes bytes, int n) {
  if (n <= 1) return Bytes(0);
  switch (op) {
    case CollectiveOp::all_reduce: return 2.0 * (n - 1) / n * bytes;
    case CollectiveOp::all_gather:
    case CollectiveOp::reduce_scatter:
    case CollectiveOp::all_to_all: return static_cast<double>(n - 1) / n * bytes;
    default: return bytes;
  }
}

}  // namespace trainsim
