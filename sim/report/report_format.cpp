#include "sim/report/report_format.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sim/core/quantity.hpp"
#include "sim/core/format.hpp"

namespace trainsim {

std::string render_text_table(const std::vector<std::vector<std::string>>& rows) {
  if (rows.empty()) return "";
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size() && c < width.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::ostringstream o;
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      std::string pad(c < width.size() ? width[c] - row[c].size() : 0, ' ');
      o << (c == 0 ? row[c] + pad : pad + row[c]) << (c + 1 < row.size() ? "  " : "\n");
    }
  }
  return o.str();
}

std::int64_t whole_bytes(double bytes) { return static_cast<std::int64_t>(std::llround(bytes)); }

std::string gib_text(double bytes) { return fixed(bytes / kGiB, 2); }

std::string rank_label(int node, const RankCoord& c) {
  return "node " + std::to_string(node) + ", dp " + std::to_string(c.dp) + " pp " + std::to_string(c.pp) + " tp " +
         std::to_string(c.tp) + " cp " + std::to_string(c.cp);
}

// The dense layout keys (all plans).
static nlohmann::json dense_layout_json(const ParallelPlan& p, const TrainingPlan& t, int micro_batches, int gpus,
                                        int nodes, MemoryConvention convention) {
  return {{"tp", p.tp},
          {"pp", p.pp},
          {"dp", p.dp},
          {"cp", p.cp},
          {"vp", p.vp},
          {"sequence_parallel", p.sequence_parallel},
          {"zero_stage", p.zero_stage},
          {"schedule", to_string(p.schedule)},
          {"micro_batch", t.micro_batch},
          {"global_batch", t.global_batch},
          {"num_micro_batches", micro_batches},
          {"seq_len", t.seq_len},
          {"precision", to_string(t.precision)},
          {"recompute", to_string(t.recompute)},
          {"convention", to_string(convention)},
          {"gpus", gpus},
          {"nodes", nodes}};
}

nlohmann::json layout_json(const ParallelPlan& p, const TrainingPlan& t, int micro_batches, int gpus, int nodes,
                           MemoryConvention convention) {
  nlohmann::json j = dense_layout_json(p, t, micro_batches, gpus, nodes, convention);
  if (p.ep > 1 || p.etp > 0) {  // the expert mesh (sim/parallel/layout.hpp); absent for dense plans
    j["ep"] = p.ep;
    j["etp"] = p.expert_tp();
    j["expert_dp"] = p.expert_dp();
  }
  return j;
}

nlohmann::json assumptions_json(const RunAssumptions& a) {
  nlohmann::json card = nlohmann::json::array();
  for (const CardAssumption& c : a.card)
    card.push_back({{"key", c.key}, {"value", c.value}, {"from", c.defaulted ? "default" : "card"}});
  return {{"card", card}, {"import", a.imports}};
}

std::string assumptions_text(const RunAssumptions& a, const std::string& cluster) {
  if (a.card.empty() && a.imports.empty()) return "";
  std::string o = "assumptions this result depends on:\n";
  for (const CardAssumption& c : a.card)
    o += "  " + c.key + " = " + c.value + " (" +
         (c.defaulted ? "key default, an assumption; the card " + cluster + " gives none"
                      : "marked assumed in the card " + cluster) +
         ")\n";
  for (const std::string& line : a.imports) o += "  " + line + "\n";
  return o;
}

std::string convention_text(const ConventionStatement& c) {
  const ModelStateBytes& u = c.unsharded;
  const ModelStateBytes& t = c.this_plan;
  std::string out = std::string("memory convention: ") + to_string(c.convention) + " (from " + c.from +
                    "): model states " + general(u.on_gpu(), 4) + " B/param unsharded (params " + general(u.params, 4) +
                    " + grads " + general(u.grads, 4) + " + optimizer " + general(u.optimizer, 4) +
                    "); this plan per parameter and GPU: GPU " + general(t.on_gpu(), 4) + " B";
  if (t.host > 0) out += ", host " + general(t.host, 4) + " B";
  if (t.nvme > 0) out += ", NVMe " + general(t.nvme, 4) + " B";
  return out + "\n";
}

nlohmann::json convention_json(const ConventionStatement& c) {
  const ModelStateBytes& u = c.unsharded;
  const ModelStateBytes& t = c.this_plan;
  return {{"name", to_string(c.convention)},
          {"source", to_string(c.source)},
          {"from", c.from},
          {"bytes_per_param",
           {{"params", u.params}, {"grads", u.grads}, {"optimizer", u.optimizer}, {"total", u.on_gpu()}}},
          {"bytes_per_param_this_plan", {{"gpu", t.on_gpu()}, {"host", t.host}, {"nvme", t.nvme}}}};
}

}  // namespace trainsim
