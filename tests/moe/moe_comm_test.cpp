// Closed forms of MoE communication per GPU per layer (sim/moe/moe_comm.hpp) against hand
// computations: Megatron-core's alltoall dispatcher (EP all-to-all, ETP all-gather /
// reduce-scatter) and allgather dispatcher (TP x EP all-gather / reduce-scatter), and the dense
// MLP's tensor-parallel collectives they replace.
#include <doctest/doctest.h>

#include "sim/core/error.hpp"
#include "sim/moe/moe_comm.hpp"

using namespace trainsim;
using namespace trainsim::moe;

namespace {

// DeepSeek-V3's published layout (arXiv:2412.19437 §3.2): EP 64 over 8 nodes, no TP; one
// micro-batch of 4096 tokens, hidden 7168, top-8, BF16 dispatch.
MoeCommShape deepseek() {
  MoeCommShape s;
  s.tokens = 4096;
  s.hidden = 7168;
  s.topk = 8;
  s.experts = 256;
  s.ep = 64;
  s.ep_in_node = 8;
  return s;
}

}  // namespace

TEST_CASE("moe comm: tokens per GPU and EP ranks per node") {
  CHECK(tokens_per_gpu(1, 4096, 1, 1) == 4096);
  CHECK(tokens_per_gpu(2, 4096, 4, 2) == 1024);  // 2 x 4096 / (4 x 2): sequence parallel and CP split it
  CHECK(ep_ranks_in_node(64, 1, 8) == 8);        // 8 nodes of 8 EP ranks
  CHECK(ep_ranks_in_node(4, 1, 8) == 4);         // the whole EP group in one node
  CHECK(ep_ranks_in_node(8, 2, 8) == 4);         // ETP 2 innermost: EP neighbours 2 GPUs apart
  CHECK(ep_ranks_in_node(8, 8, 8) == 1);         // ETP fills the node: every EP peer elsewhere
  CHECK(ep_ranks_in_node(8, 16, 8) == 1);
}

TEST_CASE("moe comm: DeepSeek-V3's EP 64 all-to-all, by hand") {
  const AlltoallComm c = alltoall_comm(deepseek());
  // 4096 tokens x 8 copies x 7168 x 2 B = 469,762,048 B dispatched; 1/64 of it stays home.
  CHECK(c.routed == 469762048.0);
  CHECK(c.dispatch.self == 469762048.0 / 64);
  CHECK(c.dispatch.intra_node == 51380224.0);   // 7/64 to the node's other 7 EP ranks
  CHECK(c.dispatch.inter_node == 411041792.0);  // 56/64 to the 56 ranks of the other 7 nodes
  CHECK(c.dispatch.sent() == 462422016.0);      // 63/64
  CHECK(c.etp_gather == 0);
  CHECK(c.forward() == 924844032.0);  // dispatch + combine
  CHECK(c.forward_inter_node() == 822083584.0);
  CHECK(c.backward() == c.forward());
}

TEST_CASE("moe comm: EP 1 sends nothing; EP inside a node sends nothing across nodes") {
  MoeCommShape s = deepseek();
  s.ep = 1;
  s.ep_in_node = 1;
  CHECK(alltoall_comm(s).forward() == 0);
  s.ep = 8;
  s.ep_in_node = 8;
  const AlltoallComm c = alltoall_comm(s);
  CHECK(c.dispatch.inter_node == 0);
  CHECK(c.dispatch.intra_node == 469762048.0 * 7 / 8);
  // The same EP 8 spread one rank per node (ETP 8 fills each node): all of it crosses nodes.
  s.ep_in_node = 1;
  CHECK(alltoall_comm(s).dispatch.inter_node == 469762048.0 * 7 / 8);
  CHECK(alltoall_comm(s).dispatch.intra_node == 0);
}

TEST_CASE("moe comm: the ETP all-gather and reduce-scatter around the experts") {
  // Mixtral-8x7B-like: 1024 tokens per GPU, h 4096, top-2, EP 4 x ETP 2 inside one node.
  MoeCommShape s;
  s.tokens = 1024;
  s.hidden = 4096;
  s.topk = 2;
  s.experts = 8;
  s.ep = 4;
  s.etp = 2;
  s.ep_in_node = 4;
  const AlltoallComm c = alltoall_comm(s);
  const double routed = 1024.0 * 2 * 4096 * 2;  // 16 MiB
  CHECK(c.routed == routed);
  CHECK(c.dispatch.sent() == routed * 3 / 4);
  CHECK(c.etp_gather == routed);  // ring of 2: one share to the other ETP rank
  CHECK(c.etp_scatter == routed);
  CHECK(c.forward() == 2 * routed * 3 / 4 + 2 * routed);
}

TEST_CASE("moe comm: the allgather dispatcher gathers hidden states, map and probs over TP x EP") {
  MoeCommShape s;
  s.tokens = 1024;
  s.hidden = 4096;
  s.topk = 2;
  s.experts = 8;
  s.ep = 4;
  s.etp = 2;
  s.ep_in_node = 4;
  const AllgatherComm c = allgather_comm(s);
  // Group of 8: each GPU sends its 1024 tokens to 7 others.
  CHECK(c.hidden_gather == 7.0 * 1024 * 4096 * 2);
  CHECK(c.map_gather == 7.0 * 1024 * 8);        // torch.bool
  CHECK(c.probs_gather == 7.0 * 1024 * 8 * 4);  // FP32 probabilities
  CHECK(c.hidden_scatter == c.hidden_gather);
  CHECK(c.forward() == 2 * 7.0 * 1024 * 4096 * 2 + 7.0 * 1024 * 8 * 5);
  CHECK(c.backward() == c.forward() - c.map_gather);
}

TEST_CASE("moe comm: the dense MLP's TP collectives, and the k/EP ratio of the all-to-all") {
  // TP 8 over the same 8 GPUs and tokens: all-reduce (or all-gather + reduce-scatter under SP)
  // sends 2 x 7 x tokens x h x 2 B per GPU.
  CHECK(dense_mlp_tp_bytes(512, 4096, 8, 2) == 2.0 * 7 * 512 * 4096 * 2);
  CHECK(dense_mlp_tp_bytes(512, 4096, 1, 2) == 0);
  // EP 8 with top-2 on the same 512 tokens per GPU: the all-to-all moves k / EP = 1/4 of that.
  MoeCommShape s;
  s.tokens = 512;
  s.hidden = 4096;
  s.topk = 2;
  s.experts = 8;
  s.ep = 8;
  s.ep_in_node = 8;
  CHECK(alltoall_comm(s).forward() == doctest::Approx(dense_mlp_tp_bytes(512, 4096, 8, 2) * 2 / 8));
}

TEST_CASE("moe comm: impossible shapes are ConfigErrors naming the key") {
  MoeCommShape s = deepseek();
  s.topk = 300;
  CHECK_THROWS_AS(alltoall_comm(s), ConfigError);
  s = deepseek();
  s.ep_in_node = 65;
  CHECK_THROWS_AS(alltoall_comm(s), ConfigError);
  CHECK_THROWS_AS(tokens_per_gpu(1, 4096, 0, 1), ConfigError);
}
