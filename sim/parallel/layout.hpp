// Rank <-> (dp, pp, tp, cp) <-> GPU mapping and process groups.
//
// Ranks are numbered node-major (rank r is GPU r % gpus_per_node of node
// r / gpus_per_node). Coordinates follow Megatron-LM's RankGenerator with the
// default order "tp-cp-dp-pp": the first dimension varies fastest, so TP
// groups are consecutive GPUs inside a node, then CP, then DP, and the
// pipeline stages are the outermost blocks of ranks (parallel_state.py,
// order='tp-cp-ep-dp-pp' with ep = 1). parallel.order overrides it with any
// permutation of the four names.
//
// Expert layers (MoE models, parallel.ep / parallel.etp) use Megatron-core's
// second RankGenerator over the same ranks (parallel_state.py
// initialize_model_parallel, expert_decoder_rank_generator): tp = etp,
// ep = ep, dp = expert-dp = world / (etp x ep x pp), cp = 1, in the same order
// string, whose default "tp-cp-ep-dp-pp" puts ep just before dp. Here ep is
// placed the same way in parallel.order: the expert mesh is the dense order
// with tp -> etp, cp dropped and dp -> ep then expert-dp. So with the default
// order the ranks of an EP group are etp apart, consecutive inside a node when
// etp x ep <= GPUs per node, and across nodes beyond.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "sim/spec/rank_order.hpp"
#include "sim/spec/scenario.hpp"

namespace trainsim {

struct RankCoord {
  int dp = 0, pp = 0, tp = 0, cp = 0;
};

// A rank's coordinates in the expert mesh (Megatron-core's expert RankGenerator).
struct ExpertCoord {
  int etp = 0;  // expert-tensor-parallel rank
  int ep = 0;   // expert-model-parallel rank: holds experts [ep x E/ep, (ep + 1) x E/ep)
  int edp = 0;  // expert-data-parallel rank
  int pp = 0;   // pipeline stage (the same as the dense mesh's)
};

// How a group's members sit on the cluster.
struct GroupPlacement {
  int ranks = 1;     // members
  int nodes = 1;     // distinct nodes among the members
  int per_node = 1;  // most members on one node
};

class Layout {
 public:
  // `order`: the four dimensions, fastest first (parse_rank_order() reads
  // parallel.order). Throws ConfigError for a size below 1.
  Layout(const ParallelPlan& p, int gpus_per_node, const RankOrder& order = kDefaultRankOrder);

  int world() const { return world_; }
  int gpus_per_node() const { return gpus_per_node_; }
  int size(Dim d) const;
  RankCoord coord(int rank) const;
  int rank(const RankCoord& c) const;
  int node(int rank) const { return rank / gpus_per_node_; }
  int local_gpu(int rank) const { return rank % gpus_per_node_; }

  // The members of `rank`'s group along `d` (all other coordinates equal), in
  // coordinate order.
  std::vector<int> group(Dim d, int rank) const;
  // Every data-parallel replica of the rank's model shard: dp x cp (the
  // gradient all-reduce without sharding).
  std::vector<int> data_group(int rank) const;
  // The ZeRO / distributed-optimizer / FSDP sharding group: dp x cp, or with
  // HSDP (parallel.dp_replicate > 1) the rank's dp_shard ranks x cp.
  std::vector<int> shard_group(int rank) const;
  // HSDP: the rank's peers holding the same shard in the other replica groups
  // (dp_replicate ranks); {rank} without HSDP.
  std::vector<int> replicate_group(int rank) const;
  // FSDP2 reshard_after_forward = N (parallel.reshard_after_forward >= 2):
  // the N consecutive ranks of the rank's shard group that hold the N-sharded
  // copy between forward and backward (the shard group when N is larger).
  std::vector<int> reshard_group(int rank) const;
  // Every rank of the rank's pipeline stage: tp x cp x dp (Megatron's
  // tensor-and-data-parallel group with CP, the FP8 amax reduction group).
  std::vector<int> stage_group(int rank) const;
  GroupPlacement placement(const std::vector<int>& members) const;
  std::string order() const { return to_string(order_dims_); }

  // The expert mesh (MoE; all 1 but expert_dp for a dense plan with ep = 1).
  int ep() const { return ep_; }
  int etp() const { return etp_; }
  int expert_dp() const { return edp_; }  // tp x cp x dp / (etp x ep)
  ExpertCoord expert_coord(int rank) const;
  // The rank's expert-model-parallel group (Megatron _EXPERT_MODEL_PARALLEL_GROUP,
  // get_ranks('ep')): the ep ranks that split the routed experts and exchange
  // tokens in the dispatch and combine, in ep-coordinate order.
  std::vector<int> ep_group(int rank) const;
  // The expert-tensor-parallel group (_EXPERT_TENSOR_PARALLEL_GROUP, get_ranks('tp')
  // of the expert generator): the etp ranks splitting each local expert's weights.
  std::vector<int> etp_group(int rank) const;
  // The expert-data-parallel group (_EXPERT_DATA_PARALLEL_GROUP, get_ranks('dp')):
  // the ranks holding the same experts, over which expert gradients are reduced
  // and the distributed optimizer shards expert states.
  std::vector<int> expert_dp_group(int rank) const;
  // etp x ep together (_EXPERT_TENSOR_AND_MODEL_PARALLEL_GROUP, get_ranks('tp-ep')).
  std::vector<int> expert_tp_ep_group(int rank) const;

 private:
  std::array<Dim, 4> order_dims_{};
  std::array<int, 4> sizes_{};    // indexed by Dim
  std::array<int, 4> strides_{};  // indexed by Dim
  int world_ = 1;
  int gpus_per_node_ = 8;
  int dp_shard_ = 1;   // dp ranks of one shard group (sharding.hpp shard_dp)
  int reshard_n_ = 1;  // parallel.reshard_after_forward as a group size
  int ep_ = 1, etp_ = 1, edp_ = 1;
  int ep_stride_ = 1, etp_stride_ = 1, edp_stride_ = 1;  // expert-mesh strides

  void set_expert_mesh(const ParallelPlan& p);
  std::vector<int> along(int stride, int size, int rank) const;
};

}  // namespace trainsim
