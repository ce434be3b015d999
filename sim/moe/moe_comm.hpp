// Closed forms of the communication of one MoE layer, per GPU and per micro-batch, for uniform
// routing (every routed copy of a token lands on each expert with the same probability), as
// Megatron-core's token dispatchers move it
// (megatron/core/transformer/moe/token_dispatcher.py):
//
//   alltoall  (MoEAlltoAllTokenDispatcher): permute -> all-to-all over EP -> all-gather over ETP
//             -> experts -> reduce-scatter over ETP -> all-to-all over EP -> unpermute.
//             Every (token, expert) pair is one copy of the token's hidden state (no merging of
//             copies bound for the same rank), so one GPU dispatches tokens x top_k copies.
//   allgather (MoEAllGatherTokenDispatcher): all-gather of hidden states, routing map and probs
//             over the TP x EP group (tp_ep_group), experts on every gathered token routed to a
//             local expert, reduce-scatter over the same group.
//
// Bytes are what one GPU sends (under uniform routing it receives as much); all-gathers and
// reduce-scatters count as rings: a group of n sends (n - 1) / n of the gathered tensor. The
// backward pass moves the same volumes in reverse (the gradient of an all-to-all is the inverse
// all-to-all, of an all-gather a reduce-scatter and back), so backward = forward here.
//
// Library code: pure functions, no I/O; ConfigError for shapes that cannot be.
#pragma once

namespace trainsim::moe {

// One MoE layer's shape as its communication sees it.
struct MoeCommShape {
  double tokens = 0;         // tokens entering the layer on one GPU per micro-batch (tokens_per_gpu())
  int hidden = 0;            // hidden size h
  int topk = 1;              // routed experts per token k
  int experts = 1;           // routed experts E (the allgather dispatcher gathers E-wide maps)
  int ep = 1;                // expert-model-parallel size
  int etp = 1;               // expert-tensor-parallel size
  int ep_in_node = 1;        // EP ranks in this GPU's node, itself included (ep_ranks_in_node())
  double element_bytes = 2;  // bytes of one hidden-state element on the wire (2: BF16)
  double prob_bytes = 4;     // bytes of one router probability (allgather dispatcher; FP32)
};

// Where one GPU's dispatched copies go under uniform routing: 1/ep of them stay on the GPU,
// (ep_in_node - 1)/ep go to other GPUs of the node (NVLink), (ep - ep_in_node)/ep leave the node.
struct A2aSplit {
  double self = 0;        // bytes that stay on the GPU (its own experts)
  double intra_node = 0;  // bytes to the other EP ranks of the node
  double inter_node = 0;  // bytes to EP ranks on other nodes
  double sent() const { return intra_node + inter_node; }
};

// The alltoall dispatcher's volumes for one layer and one micro-batch.
struct AlltoallComm {
  double routed = 0;       // tokens x k x h x element_bytes: every copy one GPU dispatches
  A2aSplit dispatch;       // one EP all-to-all (the combine all-to-all is the same under uniform routing)
  double etp_gather = 0;   // one GPU's sends in the ETP all-gather after dispatch ((etp - 1) x routed)
  double etp_scatter = 0;  // and in the ETP reduce-scatter before combine (the same)
  double forward() const { return 2 * dispatch.sent() + etp_gather + etp_scatter; }
  double forward_inter_node() const { return 2 * dispatch.inter_node; }
  double backward() const { return forward(); }
};

// The allgather dispatcher's volumes for one layer and one micro-batch (group n = etp x ep).
struct AllgatherComm {
  double hidden_gather = 0;   // (n - 1) x tokens x h x element_bytes
  double map_gather = 0;      // routing map, one byte per token and expert: (n - 1) x tokens x E
  double probs_gather = 0;    // router probabilities: (n - 1) x tokens x E x prob_bytes
  double hidden_scatter = 0;  // reduce-scatter of the expert outputs: as hidden_gather
  double forward() const { return hidden_gather + map_gather + probs_gather + hidden_scatter; }
  // Backward: the hidden all-gather's gradient is a reduce-scatter, the reduce-scatter's an
  // all-gather, the probs' gather a reduce-scatter of their gradients; the boolean map has none.
  double backward() const { return hidden_gather + probs_gather + hidden_scatter; }
};

// Tokens one GPU feeds into an MoE layer per micro-batch: Megatron-core runs MoE with tensor
// parallelism only under sequence parallelism, so the layer sees micro_batch x seq / (tp x cp).
double tokens_per_gpu(int micro_batch, int seq_len, int tp, int cp);

// EP ranks sharing a node with a GPU under Megatron-core's expert rank order (tp-ep-dp-pp with
// ETP innermost, parallel_state.py's expert RankGenerator): EP neighbours are etp ranks apart, so
// a node of gpus_per_node GPUs holds min(ep, gpus_per_node / etp) of them (at least 1).
int ep_ranks_in_node(int ep, int etp, int gpus_per_node);

A2aSplit a2a_split(double routed_bytes, int ep, int ep_in_node);
AlltoallComm alltoall_comm(const MoeCommShape& s);
AllgatherComm allgather_comm(const MoeCommShape& s);

// What the dense MLP of the same tokens moves under tensor parallelism of size tp, per GPU per
// layer and micro-batch, forward: an all-reduce of tokens x tp rows (no sequence parallelism) or
// the all-gather before and the reduce-scatter after it (sequence parallelism) -- both send
// 2 (tp - 1) x tokens x h x element_bytes; backward the same. `tokens` as tokens_per_gpu().
double dense_mlp_tp_bytes(double tokens, int hidden, int tp, double element_bytes);

}  // namespace trainsim::moe
