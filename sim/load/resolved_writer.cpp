#include "sim/load/resolved_writer.hpp"

#include <sstream>

#include "sim/config/keys.hpp"

namespace trainsim {
namespace {

// A YAML scalar: plain when safe, else double-quoted.
std::string scalar(const std::string& v) {
  bool plain = !v.empty() && v.find_first_of(":#'\"{}[],&*!|>%@`\\") == std::string::npos && v.front() != ' ' &&
               v.back() != ' ' && v.front() != '-' && v.front() != '?';
  if (plain) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string section_of(const std::string& key) {
  auto dot = key.find('.');
  return dot == std::string::npos ? "" : key.substr(0, dot);
}

}  // namespace

std::string resolved_scenario_yaml(const Scenario& s, const std::string& ds_config_name,
                                   const std::string& model_card_name) {
  std::map<std::string, std::string> texts = s.resolved_texts;
  texts["megatron_args"] = "";      // applied: every setting it made is written out
  texts["torchtitan_config"] = "";  // likewise
  texts["peft_config"] = "";        // likewise
  texts["deepspeed_config"] = s.imports.ds_config_file.empty() ? "" : ds_config_name;
  if (s.imports.model_from_megatron) texts["model"] = model_card_name;
  std::ostringstream o;
  o << "# Resolved by trainsim --save-resolved from " << s.file << ": every key explicit.\n";
  std::string current;
  for (const KeyDef& k : scenario_keys().keys()) {
    const std::string& v = texts[k.path];
    if (v.empty()) continue;
    std::string sec = section_of(k.path);
    if (sec != current && !sec.empty()) o << sec << ":\n";
    current = sec;
    o << (sec.empty() ? "" : "  ") << k.path.substr(sec.empty() ? 0 : sec.size() + 1) << ": " << scalar(v) << "\n";
  }
  return o.str();
}

std::string model_card_yaml(const ModelSpec& m) {
  std::ostringstream o;
  o << "name: " << scalar(m.name) << "\nsource: " << scalar(m.source) << "\nlayers: " << m.layers
    << "\nhidden: " << m.hidden << "\nheads: " << m.heads << "\nkv_heads: " << m.kv_heads
    << "\nhead_dim: " << m.head_dim << "\nffn: " << m.ffn << "\nvocab: " << m.vocab << "\n";
  if (m.max_position > 0) o << "max_position: " << m.max_position << "\n";
  if (m.context_length > 0) o << "context_length: " << m.context_length << "\n";
  auto b = [](bool v) { return v ? "true" : "false"; };
  o << "mlp: " << to_string(m.mlp) << "\nposition: " << to_string(m.position) << "\nnorm: " << to_string(m.norm)
    << "\ntied_embeddings: " << b(m.tied_embeddings) << "\nbias: " << b(m.bias)
    << "\nembedding_norm: " << b(m.embedding_norm) << "\ndropout: " << b(m.dropout) << "\n";
  return o.str();
}

}  // namespace trainsim
