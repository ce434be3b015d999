#include "sim/net/collective.hpp"

#include "sim/net/collective_hierarchical.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace trainsim {
namespace {

// NCCL's per-NVLink bandwidth in its topology model (topo.h): SM80_NVLINK_BW 20.0,
// SM90_NVLINK_BW 20.6, SM100_NVLINK_BW 40.1 GB/s per link; one NVLink3/4 link
// carries 25 GB/s per direction, one NVLink5 link 50 GB/s (18 links, 900 GB/s;
// docs/reference/hardware.md §1.2, §1.5 [S1][S3]).
double nvlink_link_gbps(GpuArch arch) { return arch == GpuArch::blackwell ? 50.0 : 25.0; }
double nccl_nvlink_bw(GpuArch arch) {
  return arch == GpuArch::blackwell ? 40.1 : arch == GpuArch::hopper ? 20.6 : 20.0;
}
// NCCL's PCIe model: width x speed / 80 gives 24 GB/s for Gen4 x16 whose spec is
// 32 GB/s per direction: 0.75 of the card's figure (docs/reference/hardware.md §1.2 [S1]).
constexpr double kNcclPcieFraction = 0.75;
// Channels per NIC for rings across nodes: an assumption (NCCL typically runs
// two rings per NIC; an HGX A100 log shows 24 channels inside a node [S53]).
// Only the product channels x per-channel bandwidth matters for large messages.
constexpr int kChannelsPerNic = 2;

NcclOp nccl_op(CollectiveOp op) {
  switch (op) {
    case CollectiveOp::all_reduce: return NcclOp::all_reduce;
    case CollectiveOp::all_gather: return NcclOp::all_gather;
    case CollectiveOp::reduce_scatter: return NcclOp::reduce_scatter;
    case CollectiveOp::broadcast: return NcclOp::broadcast;
    default: return NcclOp::reduce;
  }
}

// Intra-node channels and per-channel GB/s as NCCL's search finds them.
std::pair<int, double> intra_channels(const NodeSpec& n, GpuArch arch) {
  if (n.nvswitch.present()) {
    int links = static_cast<int>(std::lround(n.nvswitch.bandwidth.value() / 1e9 / nvlink_link_gbps(arch)));
    return {std::max(1, links), nccl_nvlink_bw(arch)};
  }
  // PCIe-only node: NCCL's PCI path bandwidth (0.75 x spec, 24 GB/s for Gen4 x16)
  // split over two ring channels; only their product sets the bus bandwidth.
  return {2, n.pcie.bandwidth.value() / 1e9 * kNcclPcieFraction / 2};
}

// Point-to-point algorithms (all-to-all, send/recv): each GPU moves its share
// over its slowest path at the node's per-GPU bandwidth, after one step of
// latency per peer group.
CollectiveResult predict_p2p(const ClusterSpec& c, const CollectiveRequest& r, int nodes, int nics) {
  NcclComm comm = nccl_comm_for(c, CollectiveOp::all_gather, r.ranks, nodes, nics);
  double per_gpu_gbps = comm.channels * std::min(comm.bw_intra, comm.bw_inter);
  if (comm.nodes > 1)
    per_gpu_gbps = std::min(per_gpu_gbps,
                            inter_node_gbps(c, c.node.nics.count, kChannelsPerNic * c.node.nics.count) / c.node.gpus);
  double moved = r.op == CollectiveOp::send_recv ? r.bytes : r.bytes * (r.ranks - 1) / r.ranks;
  // One Ring/Simple step of NCCL's hardware latency on the path crossed [S1], plus the launch floor.
  double lat_us =
      nccl_step_latency_us(comm, NcclAlgo::ring, NcclProto::simple) + nccl_exec_defaults(comm.arch).launch_us;
  CollectiveResult out;
  out.time_s = (lat_us + moved / (1000.0 * per_gpu_gbps)) * 1e-6;
  out.latency_s = lat_us * 1e-6;
  out.algorithm = "p2p";
  out.protocol = "Simple";
  return out;
}

// NCCL's choice among the pairs the request allows (NCCL_ALGO / NCCL_PROTO);
// throws when the group cannot run what was forced.
NcclEstimate forced_estimate(const NcclComm& comm, const CollectiveRequest& r) {
  NcclEstimate e = nccl_pick(comm, r.bytes, r.algo, r.proto);
  if (!(e.alg_bw > 0))
    throw UnsupportedCollective(r.algo ? "network.algorithm" : "network.protocol",
                                std::string("algorithm ") + (r.algo ? to_string(*r.algo) : "any") + " with protocol " +
                                    (r.proto ? to_string(*r.proto) : "any") + " is not available for " +
                                    to_string(r.op) + " on this group (NCCL would not enable it)");
  return e;
}

}  // namespace

namespace {

// The collectives' names, as nccl-tests and the CLI's --op spell them.
constexpr std::array<std::pair<const char*, CollectiveOp>, 7> kOpNames{{
    {"all_reduce", CollectiveOp::all_reduce},
    {"all_gather", CollectiveOp::all_gather},
    {"reduce_scatter", CollectiveOp::reduce_scatter},
    {"broadcast", CollectiveOp::broadcast},
    {"reduce", CollectiveOp::reduce},
    {"all_to_all", CollectiveOp::all_to_all},
    {"send_recv", CollectiveOp::send_recv},
}};

// Lower case without '_' and '-': "All-Reduce" -> "allreduce".
std::string squashed(const std::string& name) {
  std::string n;
  for (char ch : name)
    if (ch != '_' && ch != '-') n += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return n;
}

}  // namespace

const char* to_string(CollectiveOp op) {
  for (const auto& [name, o] : kOpNames)
    if (o == op) return name;
  return "?";
}

CollectiveOp parse_collective_op(const std::string& name, const SourceLocation& where) {
  const std::string n = squashed(name);
  for (const auto& [canon, op] : kOpNames)
    if (n == squashed(canon)) return op;  // "all_to_all", "all-to-all", "alltoall", "AllToAll" all match
  throw ConfigError(where,
                    "unknown collective '" + name +
                        "'; valid: all_reduce, all_gather, reduce_scatter, broadcast, reduce, all_to_all, send_recv");
}

double busbw_factor(CollectiveOp op, int n) {
  switch (op) {
    case CollectiveOp::all_reduce: return 2.0 * (n - 1) / n;
    case CollectiveOp::all_gather:
    case CollectiveOp::reduce_scatter:
    case CollectiveOp::all_to_all: return static_cast<double>(n - 1) / n;
    default: return 1.0;
  }
}

double inter_node_gbps(const ClusterSpec& c, int nics, int channels) {
  const NodeSpec& n = c.node;
  // NIC bandwidth in NCCL's model: speed_Mbps / 8000 GB/s per NIC [S1 topo.cc].
  if (c.transport.kind == NetTransport::ib) return nics * n.nics.bandwidth.value() / 1e9;
  if (!n.ethernet.present())
    throw std::logic_error("socket transport on a cluster card without node.ethernet (the loader refuses it)");
  const double share = static_cast<double>(nics) / n.nics.count;  // of the node's ports, as of its NICs
  const double line = kSocketLineFraction * n.ethernet.count * n.ethernet.bandwidth.value() / 1e9 * share;
  const double streams = static_cast<double>(channels) * c.transport.socket_threads * c.transport.socks_per_thread;
  return std::min(line, streams * n.ethernet.stream_bandwidth.value() / 1e9);
}

std::array<double, 3> card_latency_extra_us(const ClusterSpec& c) {
  const NodeSpec& n = c.node;
  // One step's path as the topology graph builds it (topology_builder.cpp):
  // NVLink GPU -> NVSwitch -> GPU; PCI GPU -> PCIe switch -> GPU (two hops);
  // network NIC -> leaf switch -> NIC. NCCL's table has one value per path
  // whatever the fabric's depth, so one switch is counted.
  const double nvlink = n.nvswitch.latency.value() - defaults::kRefNvswitchLatency;
  const double pci = 2 * (n.pcie.latency.value() - defaults::kRefPcieLatency);
  const double net = 2 * (n.nics.latency.value() - defaults::kRefNicLatency) +
                     (c.fabric.switch_latency.value() - defaults::kRefSwitchLatency);
  // Whole picoseconds (SimTime's unit): a card stating the shipped figure
  // adds exactly 0, whatever the last bit of its parsed "0.6us".
  auto us = [](double seconds) { return std::round(seconds * 1e12) / 1e6; };
  return {us(nvlink), us(pci), us(net)};
}

NcclComm nccl_comm_for(const ClusterSpec& c, CollectiveOp op, int ranks, int nodes, int nics) {
  const NodeSpec& n = c.node;
  NcclComm comm;
  comm.hw_extra_us = card_latency_extra_us(c);
  comm.op = nccl_op(op);
  comm.ranks = ranks;
  comm.nodes = nodes > 0 ? nodes : (ranks + n.gpus - 1) / n.gpus;
  comm.arch = arch_of(n.gpu);
  comm.intra = n.nvswitch.present() ? IntraLink::nvlink : IntraLink::pci;
  comm.nvls = n.nvswitch.nvls && ranks > 4;  // NCCL enables NVLS from 5 GPUs up (docs/reference/hardware.md §4c.3c)
  auto [channels, per_channel] = intra_channels(n, comm.arch);
  comm.channels = channels;
  comm.bw_intra = comm.bw_inter = per_channel;
  if (comm.nodes > 1) {
    const int used = nics > 0 ? std::min(nics, n.nics.count) : n.nics.count;
    comm.channels = kChannelsPerNic * used;
    double node_net = inter_node_gbps(c, used, comm.channels);
    double per = std::min(node_net, channels * per_channel) / comm.channels;
    comm.bw_intra = comm.bw_inter = per;
    // TCP through the kernel on both ends: NCCL adds a network's latency to
    // each inter-node step as latencyInter (tuning.cc [S1]).
    if (c.transport.kind == NetTransport::socket) comm.latency_inter = n.ethernet.latency.value() * 1e6;
  }
  return comm;
}

CollectiveResult predict_collective(const ClusterSpec& c, const CollectiveRequest& r, int nodes, int nics) {
  if (r.ranks < 1) throw std::invalid_argument("a collective needs at least one GPU");
  if (nodes < 0 || nodes > r.ranks)  // 0: derived; the per-node GPU count is ranks / nodes
    throw std::invalid_argument("a collective of " + std::to_string(r.ranks) + " GPUs spans 1 to " +
                                std::to_string(r.ranks) + " nodes, not " + std::to_string(nodes));
  CollectiveResult out;
  if (r.ranks == 1) {
    out.algorithm = "none";
    out.protocol = "-";
    return out;
  }
  if (r.algo == NcclAlgo::hierarchical) return predict_hierarchical(c, r, nodes, nics);
  if (r.op == CollectiveOp::all_to_all || r.op == CollectiveOp::send_recv) return predict_p2p(c, r, nodes, nics);
  NcclComm comm = nccl_comm_for(c, r.op, r.ranks, nodes, nics);
  NcclEstimate e = r.algo || r.proto ? forced_estimate(comm, r) : nccl_pick(comm, r.bytes);
  NcclExecTime t = nccl_exec_time(comm, e, r.bytes, nccl_exec_defaults(comm.arch));
  out.time_s = t.total_us() * 1e-6;
  out.latency_s = t.fixed_us * 1e-6;
  out.algorithm = to_string(e.algo);
  out.protocol = to_string(e.proto);
  return out;
}

}  // namespace trainsim
