// `trainsim explain moe --model M [--ep 1,2,4,...] [--topk K,...] [--seq-len S] [--micro-batch B]
//   [--tp T] [--etp E] [--cp C] [--cluster CARD | --gpus-per-node G] [--json]`:
// a teaching table of the all-to-all bytes one GPU sends per MoE layer and micro-batch against
// EP, top-k and placement (EP inside a node or across nodes), beside the allgather dispatcher's
// bytes and the dense MLP's tensor-parallel all-reduce over as many GPUs. Closed forms for
// uniform routing: sim/moe/moe_comm.hpp.
#include <algorithm>
#include <charconv>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "sim/core/error.hpp"
#include "sim/core/format.hpp"
#include "sim/load/hardware_loader.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/moe/moe_comm.hpp"

namespace trainsim::cli {
namespace {

struct ExplainMoeArgs {
  std::string model;    // --model: zoo name or path (an MoE card)
  std::string ep;       // --ep: comma-separated EP sizes; default 1, 2, 4, ... up to the experts
  std::string topk;     // --topk: comma-separated top-k values; default the card's
  int seq_len = 4096;   // --seq-len
  int micro_batch = 1;  // --micro-batch
  int tp = 1;           // --tp: attention tensor parallelism (sequence parallel splits the tokens)
  int etp = 1;          // --etp: expert tensor parallelism
  int cp = 1;           // --cp
  std::string cluster;  // --cluster: GPUs per node from the card
  int gpus_per_node = 8;
  bool json = false;
};

std::vector<int> int_list(const std::string& text, const char* flag) {
  std::vector<int> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string token = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    int v = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
    if (ec != std::errc() || end != token.data() + token.size() || v < 1)
      throw ConfigError({flag, 0, ""}, "'" + token + "' is not a whole number >= 1; valid: e.g. " + flag + " 1,2,4,8");
    out.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string mib(double bytes) { return fixed(bytes / (1 << 20), 1); }

struct Row {
  int ep, topk, ep_in_node;
  const char* placement;
  moe::AlltoallComm a2a;
  moe::AllgatherComm ag;
  double dense;
};

std::vector<Row> rows_of(const ExplainMoeArgs& a, const ModelSpec& m, double tokens) {
  const std::vector<int> eps = a.ep.empty() ? std::vector<int>{} : int_list(a.ep, "--ep");
  std::vector<int> ep_list = eps;
  if (ep_list.empty())
    for (int e = 1; e <= m.moe_experts; e *= 2) ep_list.push_back(e);
  const std::vector<int> ks = a.topk.empty() ? std::vector<int>{m.moe_topk} : int_list(a.topk, "--topk");
  std::vector<Row> rows;
  for (int k : ks)
    for (int ep : ep_list) {
      if (m.moe_experts % ep != 0)
        throw ConfigError({"--ep", 0, ""}, std::to_string(ep) + " does not divide the " +
                                               std::to_string(m.moe_experts) + " routed experts of " + m.name);
      const int inside = moe::ep_ranks_in_node(ep, a.etp, a.gpus_per_node);
      // Placements: Megatron-core's order (EP next to ETP, as many EP ranks per node as fit),
      // and every EP peer on another node (EP strided by the node, e.g. under a node-filling TP).
      for (int in_node : {inside, 1}) {
        if (in_node == 1 && inside == 1 && !rows.empty() && rows.back().ep == ep && rows.back().topk == k) continue;
        moe::MoeCommShape s;
        s.tokens = tokens;
        s.hidden = m.hidden;
        s.topk = k;
        s.experts = m.moe_experts;
        s.ep = ep;
        s.etp = a.etp;
        s.ep_in_node = in_node;
        const char* where = in_node == ep ? "in node" : in_node == 1 ? "across nodes" : "spans nodes";
        rows.push_back(Row{ep, k, in_node, where, moe::alltoall_comm(s), moe::allgather_comm(s),
                           moe::dense_mlp_tp_bytes(tokens, m.hidden, ep * a.etp, s.element_bytes)});
        if (ep == 1) break;
      }
    }
  return rows;
}

std::string table(const std::vector<Row>& rows) {
  std::vector<std::vector<std::string>> cells = {{"EP", "top-k", "placement", "EP/node", "a2a fwd", "in node", "across",
                                                  "ETP AG+RS", "allgather fwd", "dense AR", "a2a/AR"}};
  for (const Row& r : rows)
    cells.push_back({std::to_string(r.ep), std::to_string(r.topk), r.placement, std::to_string(r.ep_in_node),
                     mib(r.a2a.forward()), mib(2 * r.a2a.dispatch.intra_node), mib(r.a2a.forward_inter_node()),
                     mib(r.a2a.etp_gather + r.a2a.etp_scatter), mib(r.ag.forward()), mib(r.dense),
                     r.dense > 0 ? fixed(r.a2a.forward() / r.dense, 3) : "-"});
  std::vector<size_t> width(cells[0].size(), 0);
  for (const auto& row : cells)
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::string out;
  for (const auto& row : cells) {
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string pad(width[c] - row[c].size(), ' ');
      out += c == 0 ? "  " + pad + row[c] : c == 2 ? "  " + row[c] + pad : "  " + pad + row[c];
    }
    out += "\n";
  }
  return out;
}

nlohmann::json to_json(const ExplainMoeArgs& a, const ModelSpec& m, double tokens, const std::vector<Row>& rows) {
  nlohmann::json j;
  j["model"] = m.name;
  j["experts"] = m.moe_experts;
  j["hidden"] = m.hidden;
  j["tokens_per_gpu"] = tokens;
  j["seq_len"] = a.seq_len;
  j["micro_batch"] = a.micro_batch;
  j["tp"] = a.tp;
  j["etp"] = a.etp;
  j["cp"] = a.cp;
  j["gpus_per_node"] = a.gpus_per_node;
  j["element_bytes"] = 2;
  nlohmann::json out = nlohmann::json::array();
  for (const Row& r : rows)
    out.push_back({{"ep", r.ep},
                   {"topk", r.topk},
                   {"placement", r.placement},
                   {"ep_in_node", r.ep_in_node},
                   {"routed_bytes", r.a2a.routed},
                   {"alltoall_forward_bytes", r.a2a.forward()},
                   {"alltoall_backward_bytes", r.a2a.backward()},
                   {"alltoall_intra_node_forward_bytes", 2 * r.a2a.dispatch.intra_node},
                   {"alltoall_inter_node_forward_bytes", r.a2a.forward_inter_node()},
                   {"etp_gather_scatter_forward_bytes", r.a2a.etp_gather + r.a2a.etp_scatter},
                   {"allgather_forward_bytes", r.ag.forward()},
                   {"allgather_backward_bytes", r.ag.backward()},
                   {"dense_tp_allreduce_forward_bytes", r.dense}});
  j["rows"] = out;
  return j;
}

void run_explain_moe(ExplainMoeArgs a) {
  if (a.model.empty()) throw UsageError("`trainsim explain moe` needs --model NAME|PATH (an MoE model card)");
  const Zoo zoo = default_zoo();
  const ModelSpec m = load_model(zoo.resolve(ZooKind::model, a.model, "", SourceLocation{"--model", 0, ""}).string());
  if (!m.is_moe())
    throw ConfigError({"--model", 0, ""}, m.name + " is a dense model; valid: an MoE card (num_moe_experts > 0)");
  if (!a.cluster.empty())
    a.gpus_per_node =
        load_cluster_card(zoo.resolve(ZooKind::cluster, a.cluster, "", SourceLocation{"--cluster", 0, ""}).string(),
                          zoo)
            .node.gpus;
  const double tokens = moe::tokens_per_gpu(a.micro_batch, a.seq_len, a.tp, a.cp);
  const std::vector<Row> rows = rows_of(a, m, tokens);
  if (a.json) {
    std::cout << json_text(to_json(a, m, tokens, rows)) << "\n";
    return;
  }
  std::cout << "MoE communication per GPU per MoE layer and micro-batch, uniform routing: " << m.name << " ("
            << m.moe_experts << " experts, hidden " << m.hidden << ")\n"
            << "tokens per GPU " << general(tokens) << " = micro-batch " << a.micro_batch << " x seq " << a.seq_len
            << " / (tp " << a.tp << " x cp " << a.cp << "), BF16 (2 B), etp " << a.etp << ", " << a.gpus_per_node
            << " GPUs per node; MiB sent per GPU, forward (backward moves the same)\n"
            << table(rows)
            << "a2a fwd: dispatch + combine all-to-all over EP (Megatron-core alltoall dispatcher), split into\n"
               "  in node (NVLink) and across nodes; ETP AG+RS: the all-gather and reduce-scatter over expert TP;\n"
               "allgather fwd: the allgather dispatcher (hidden states, routing map, probs over ETP x EP);\n"
               "dense AR: the dense MLP's all-reduce under TP = EP x ETP over the same tokens per GPU.\n";
}

}  // namespace

void add_explain_moe_command(CLI::App& explain) {
  CLI::App* moe = explain.add_subcommand(
      "moe", "MoE all-to-all bytes per GPU per layer against EP, top-k and placement, beside the dense all-reduce");
  auto args = std::make_shared<ExplainMoeArgs>();
  moe->add_option("--model", args->model, "an MoE model in models/ or a path to a model card / HF config.json");
  moe->add_option("--ep", args->ep, "comma-separated EP sizes (default 1, 2, 4, ... up to the routed experts)");
  moe->add_option("--topk", args->topk, "comma-separated top-k values (default the model's)");
  moe->add_option("--seq-len", args->seq_len, "sequence length")->capture_default_str();
  moe->add_option("--micro-batch", args->micro_batch, "sequences per micro-batch")->capture_default_str();
  moe->add_option("--tp", args->tp, "tensor parallelism (sequence parallel: tokens per GPU / tp)")
      ->capture_default_str();
  moe->add_option("--etp", args->etp, "expert tensor parallelism")->capture_default_str();
  moe->add_option("--cp", args->cp, "context parallelism")->capture_default_str();
  moe->add_option("--cluster", args->cluster, "a cluster card: its GPUs per node");
  moe->add_option("--gpus-per-node", args->gpus_per_node, "GPUs per node without --cluster")->capture_default_str();
  moe->add_flag("--json", args->json, "print one JSON document on stdout instead of the table");
  moe->callback([args] { run_explain_moe(*args); });
}

}  // namespace trainsim::cli
