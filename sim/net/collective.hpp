// Collectives on a group of GPUs. The analytical mode predicts one call with
// NCCL's own tuner model (nccl_tuner.hpp) for the algorithm and protocol NCCL
// would pick, and the execution model (nccl_exec.hpp: launch floor, pipeline
// fill, achieved bandwidth) for its time, with channel counts and per-channel
// bandwidths derived from the cluster card the way NCCL's topology search
// sees the hardware (docs/reference/hardware.md §1.2 and §4c.4 [S1]). No contention.
#pragma once

#include <array>
#include <optional>
#include "sim/core/error.hpp"
#include <string>
#include <vector>

#include "sim/net/nccl_exec.hpp"
#include "sim/net/nccl_tuner.hpp"
#include "sim/spec/cluster_spec.hpp"

namespace trainsim {

enum class CollectiveOp { all_reduce, all_gather, reduce_scatter, broadcast, reduce, all_to_all, send_recv };

const char* to_string(CollectiveOp op);
// Parses "all_reduce", "all-reduce", "allreduce", ...; throws ConfigError at
// `where` listing the valid names.
CollectiveOp parse_collective_op(const std::string& name, const SourceLocation& where = {});

// A forced algorithm or protocol (network.algorithm / network.protocol) that
// the call cannot run: NCCL would not enable it, or hierarchical on a group it
// does not fit. Bad input, keyed by the setting to change.
class UnsupportedCollective : public ConfigError {
 public:
  UnsupportedCollective(const std::string& key, const std::string& message) : ConfigError({"", 0, key}, message) {}
};

// nccl-tests' bus-bandwidth factor (docs/reference/formulas.md §6): busbw = algbw x factor.
double busbw_factor(CollectiveOp op, int ranks);

struct CollectiveRequest {
  CollectiveOp op = CollectiveOp::all_reduce;
  int ranks = 8;                   // GPUs in the group (consecutive GPUs, nodes filled in order)
  double bytes = 0;                // nccl-tests' size: the full buffer (all-gather's output, reduce-scatter's input)
  std::optional<NcclAlgo> algo;    // force an algorithm (NCCL_ALGO), or hierarchical (collective_hierarchical.hpp)
  std::optional<NcclProto> proto;  // force a protocol (NCCL_PROTO)
};

struct CollectiveResult {
  double time_s = 0;
  double latency_s = 0;   // the fixed part of time_s; the rest moves bytes
  std::string algorithm;  // "ring", "tree", "nvls", "p2p", "hierarchical"
  std::string protocol;   // "LL", "LL128", "Simple"
};

// NCCL's socket transport (src/transport/net_socket.cc): the plugin registers
// host pointers only (NCCL_PTR_HOST), so every message is staged in host
// memory and crosses the kernel TCP stack (no GPUDirect RDMA), and each
// connection is split over NCCL_SOCKET_NTHREADS x NCCL_NSOCKS_PERTHREAD TCP
// streams. Reports of NCCL over TCP reach about half the line rate at large
// messages (docs/reference/hardware.md §4c.6): kSocketLineFraction.
inline constexpr double kSocketLineFraction = 0.5;

// GB/s per direction a group using `nics` of each node's NIC slots (its share
// of the node, as for nccl_comm_for) can move off a node under the cluster's
// transport: IB = those NICs' line rate; socket = the same share of the
// node's Ethernet ports at kSocketLineFraction of line rate, at most
// connections x streams x node.ethernet.stream_bandwidth, with
// `channels` NCCL channels (one connection each) crossing the node.
double inter_node_gbps(const ClusterSpec& cluster, int nics, int channels);

// The card's link latencies as NCCL's per-step hardware latencies see them:
// µs per step to add on the NVLINK, PCI and NET paths (NcclComm::hw_extra_us),
// the card's figures less the shipped cards' (card_defaults.hpp kRef*), 0 for
// every shipped card. node.nvswitch.latency, node.pcie.latency (two hops),
// node.nics.latency (both ends) and fabric.switch_latency drive them.
std::array<double, 3> card_latency_extra_us(const ClusterSpec& cluster);

// The NCCL communicator a group of `ranks` GPUs spread over `nodes` nodes
// (default: consecutive GPUs, the fewest nodes) forms on `cluster`, using
// `nics` of each node's NICs (default 0: all of them; a group that shares its
// nodes with sibling groups communicating at the same time gets its share).
NcclComm nccl_comm_for(const ClusterSpec& cluster, CollectiveOp op, int ranks, int nodes = 0, int nics = 0);

// Analytical prediction of one collective, alone on the cluster: NCCL's tuner
// picks (algorithm, protocol) by minimum predicted time, unless the request
// forces them; the time is the execution model's (nccl_exec.hpp). A forced
// NcclAlgo::hierarchical gives the three calls of collective_hierarchical.hpp.
// `nodes` and `nics` as for nccl_comm_for.
CollectiveResult predict_collective(const ClusterSpec& cluster, const CollectiveRequest& request, int nodes = 0,
                                    int nics = 0);

}  // namespace trainsim
