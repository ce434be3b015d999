// `trainsim info MODEL`: a model card and its parameter counts (total and
// active per token, MoE and MTP parts), for any model, MoE included.
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "sim/config/layer_pattern.hpp"
#include "sim/config/model_check.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/model/params.hpp"
#include "sim/spec/enum_names.hpp"

namespace trainsim::cli {
namespace {

// 671026419200 -> "671,026,419,200 (671.03B)".
std::string count_text(std::int64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  char rounded[32];
  std::snprintf(rounded, sizeof rounded, " (%.2fB)", static_cast<double>(n) / 1e9);
  return out + rounded;
}

nlohmann::json info_json(const ModelSpec& m, const ParamCounts& c) {
  nlohmann::json j = {{"name", m.name},
                      {"source", m.source},
                      {"layers", m.layers},
                      {"moe_layers", c.moe_layers},
                      {"parameters",
                       {{"total", c.total},
                        {"active", c.active},
                        {"embedding", c.word_embedding},
                        {"output_layer", c.output_layer},
                        {"mtp", c.mtp},
                        {"checkpoint", c.checkpoint}}}};
  if (m.is_moe())
    j["moe"] = {{"num_moe_experts", m.moe_experts},
                {"moe_router_topk", m.moe_topk},
                {"routed_expert", c.routed_expert},
                {"shared_experts", c.shared_experts},
                {"router", c.router},
                {"moe_layer_freq", format_layer_pattern(m.moe_layers)}};
  const std::string missing = unsimulated_features(m);
  j["simulation"] = missing.empty() ? "available" : "not available yet: " + missing;
  return j;
}

void print_info(const ModelSpec& m, const ParamCounts& c) {
  std::cout << "model: " << m.name << "\nsource: " << m.source << "\n";
  std::cout << "shape: " << m.layers << " layers, hidden " << m.hidden << ", " << m.heads << " heads";
  if (m.is_mla())
    std::cout << " with MLA (q_lora_rank " << m.q_lora_rank << ", kv_lora_rank " << m.kv_lora_rank << ")";
  else
    std::cout << " (" << m.kv_heads << " KV) of " << m.head_dim;
  std::cout << ", vocab " << m.vocab << "\n";
  if (m.is_moe())
    std::cout << "experts: " << c.moe_layers << " MoE layers of " << m.moe_experts << " routed experts (top-"
              << m.moe_topk << ", FFN " << m.moe_ffn << ")"
              << (m.moe_shared_ffn > 0 ? ", shared FFN " + std::to_string(m.moe_shared_ffn) : "") << ", "
              << to_string(m.moe_router_score) << " router\n";
  std::cout << "parameters:\n  total             " << count_text(c.total) << "\n  active per token  "
            << count_text(c.active) << "\n  embedding         " << count_text(c.word_embedding)
            << "\n  output layer      " << count_text(c.output_layer) << "\n";
  if (c.mtp > 0)
    std::cout << "  MTP modules       " << count_text(c.mtp) << " (not in total)\n  HF checkpoint     "
              << count_text(c.checkpoint) << " (total + MTP + its embedding/head copies)\n";
  const std::string missing = unsimulated_features(m);
  std::cout << "simulation: " << (missing.empty() ? "available" : "not available yet (" + missing + ")") << "\n";
}

}  // namespace

void add_info_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "info", "a model's card and parameter counts, total and active per token (MoE models included)");
  auto model = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("MODEL", *model, "a name in models/, a model YAML or a Hugging Face config.json")->required();
  cmd->add_flag("--json", *json, "print one JSON document");
  cmd->callback([model, json] {
    const Zoo zoo = default_zoo();
    const auto path = zoo.resolve(ZooKind::model, *model, "", SourceLocation{"MODEL", 0, ""});
    const ModelSpec m = load_model(path.string());
    const ParamCounts c = count_params(m);
    if (*json)
      std::cout << json_text(info_json(m, c)) << "\n";
    else
      print_info(m, c);
  });
}

}  // namespace trainsim::cli
