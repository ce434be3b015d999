// Hierarchical collectives across nodes: three NCCL calls in a row instead of
// one NCCL ring or tree over every GPU. All-reduce on G GPUs over N nodes with
// p = G / N GPUs per node:
//   1. reduce-scatter inside each node (p GPUs, NVLink / NVSwitch; N at once),
//   2. all-reduce of S / p among the N GPUs of each local rank, one per node,
//      each over its own (rail) NIC (p at once, sharing the node's NICs),
//   3. all-gather inside each node (p GPUs; N at once).
// All-gather runs 2 then 3 (inter-node all-gather of S / p, then intra-node of
// S); reduce-scatter runs 1 then 2 (intra-node of S, then inter-node of S / p).
// This is how frameworks issue it (e.g. Horovod's HOROVOD_HIERARCHICAL_ALLREDUCE:
// ncclReduceScatter, an inter-node allreduce, ncclAllGather); NCCL itself does
// not ship it. Each call is predicted by NCCL's tuner and execution model for
// its own sub-communicator (collective.hpp), and the calls do not overlap.
//
// Choice: NCCL's tuner never picks it (nccl_tuner.hpp), so an unforced
// prediction stays what NCCL would do; `network.algorithm: hierarchical`
// (NCCL_ALGO-like) forces it. Its network volume per GPU is 2 (N-1)/N x S/p for
// all-reduce against 2 (G-1)/G x S/p for NCCL's flat ring, but its three calls
// are serial, so on the reference cards it is predicted slower than the ring
// for large messages (tests/net/collective_hierarchical_test.cpp).
#pragma once

#include <vector>

#include "sim/net/collective.hpp"

namespace trainsim {

struct CollectivePhase {
  CollectiveOp op = CollectiveOp::all_reduce;  // the NCCL call of this phase
  bool inter_node = false;                     // one GPU per node (true) or the GPUs of one node (false)
  int ranks = 0;                               // GPUs in each sub-communicator
  int nodes = 1;                               // nodes each sub-communicator spans
  double bytes = 0;                            // nccl-tests' size of each sub-call
  CollectiveResult result;                     // NCCL's choice and analytical time of one sub-call, alone
};

// The phases of a hierarchical `r` on a group spread evenly over `nodes` nodes
// (0: the fewest), using `nics` of each node's NICs (0: all; the inter-node
// phase's p sub-communicators share them). A phase of one GPU per
// sub-communicator is left out (p = 1: only the inter-node call). `r.proto`,
// when set, forces every call's protocol. Throws std::invalid_argument when the
// op is not all-reduce, all-gather or reduce-scatter, the group sits on one
// node, or its GPUs are not spread evenly over its nodes.
std::vector<CollectivePhase> hierarchical_phases(const ClusterSpec& cluster, const CollectiveRequest& r, int nodes = 0,
                                                 int nics = 0);

// The phases' times added up: algorithm "hierarchical", protocol the inter-node
// call's.
CollectiveResult predict_hierarchical(const ClusterSpec& cluster, const CollectiveRequest& r, int nodes = 0,
                                      int nics = 0);

}  // namespace trainsim
