// Closed forms of MoE communication per GPU per layer (moe_comm.hpp).
#include "sim/moe/moe_comm.hpp"

#include <algorithm>
#include <string>

#include "sim/core/error.hpp"

namespace trainsim::moe {
namespace {

void require(bool ok, const char* key, const std::string& what) {
  if (!ok) throw ConfigError(SourceLocation{"", 0, key}, what);
}

void check(const MoeCommShape& s) {
  require(s.tokens >= 0, "tokens", "tokens per GPU must be >= 0");
  require(s.hidden > 0, "hidden", "the hidden size must be >= 1");
  require(s.topk >= 1 && s.topk <= s.experts, "moe_router_topk",
          "top-k must be between 1 and the routed experts (" + std::to_string(s.experts) + ")");
  require(s.ep >= 1 && s.etp >= 1, "parallel.ep", "ep and etp must be >= 1");
  require(s.ep_in_node >= 1 && s.ep_in_node <= s.ep, "ep_in_node",
          "EP ranks in a node must be between 1 and ep (" + std::to_string(s.ep) + ")");
  require(s.element_bytes > 0 && s.prob_bytes > 0, "element_bytes", "element sizes must be > 0");
}

}  // namespace

double tokens_per_gpu(int micro_batch, int seq_len, int tp, int cp) {
  require(micro_batch >= 1 && seq_len >= 1, "training.micro_batch", "micro-batch and sequence must be >= 1");
  require(tp >= 1 && cp >= 1, "parallel.tp", "tp and cp must be >= 1");
  return static_cast<double>(micro_batch) * seq_len / (static_cast<double>(tp) * cp);
}

int ep_ranks_in_node(int ep, int etp, int gpus_per_node) {
  require(ep >= 1 && etp >= 1 && gpus_per_node >= 1, "parallel.ep", "ep, etp and GPUs per node must be >= 1");
  return std::clamp(gpus_per_node / etp, 1, ep);
}

A2aSplit a2a_split(double routed_bytes, int ep, int ep_in_node) {
  require(ep >= 1 && ep_in_node >= 1 && ep_in_node <= ep, "parallel.ep", "EP ranks in a node must be in [1, ep]");
  const double share = routed_bytes / ep;  // one destination rank's part
  return A2aSplit{share, share * (ep_in_node - 1), share * (ep - ep_in_node)};
}

AlltoallComm alltoall_comm(const MoeCommShape& s) {
  check(s);
  AlltoallComm c;
  c.routed = s.tokens * s.topk * s.hidden * s.element_bytes;
  c.dispatch = a2a_split(c.routed, s.ep, s.ep_in_node);
  // Uniform routing: a GPU receives as many copies as it sends (routed, its own share included);
  // the ETP all-gather then gives each of the etp ranks all etp x routed, a ring of (etp - 1)
  // sends of `routed`, and the reduce-scatter of the expert outputs mirrors it.
  c.etp_gather = (s.etp - 1) * c.routed;
  c.etp_scatter = c.etp_gather;
  return c;
}

AllgatherComm allgather_comm(const MoeCommShape& s) {
  check(s);
  const double others = static_cast<double>(s.etp) * s.ep - 1;  // tp_ep_group minus this GPU
  AllgatherComm c;
  c.hidden_gather = others * s.tokens * s.hidden * s.element_bytes;
  c.map_gather = others * s.tokens * s.experts;  // torch.bool: one byte per element
  c.probs_gather = others * s.tokens * s.experts * s.prob_bytes;
  c.hidden_scatter = c.hidden_gather;
  return c;
}

double dense_mlp_tp_bytes(double tokens, int hidden, int tp, double element_bytes) {
  require(tokens >= 0 && hidden > 0 && tp >= 1 && element_bytes > 0, "parallel.tp",
          "tokens, hidden, tp and element size must be positive");
  return 2.0 * (tp - 1) * tokens * hidden * element_bytes;
}

}  // namespace trainsim::moe
