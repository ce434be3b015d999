// Key tables of the model, GPU and cluster cards.
#include "sim/config/keys.hpp"

namespace trainsim {
namespace {

KeyDef key(std::string path, ValueType type, std::string def, std::string help, bool required = false) {
  KeyDef k = KeyDef::of(std::move(path), type);
  k.default_value = std::move(def);
  k.help = std::move(help);
  k.required = required;
  if (type == ValueType::integer) k.min = 1;
  return k;
}

KeyDef choice(std::string path, std::string def, std::vector<std::string> choices, std::string help) {
  KeyDef k = key(std::move(path), ValueType::choice, std::move(def), std::move(help));
  k.choices = std::move(choices);
  return k;
}

KeyDef qty(std::string path, Dimension dim, std::string help, bool required, std::string def = "") {
  KeyDef k = KeyDef::of(std::move(path), ValueType::quantity, dim);
  k.help = std::move(help);
  k.required = required;
  k.default_value = std::move(def);
  k.min = 0;
  return k;
}

std::vector<KeyDef> model_defs() {
  using V = ValueType;
  return {
      key("name", V::string, "", "display name; default: the file name"),
      key("source", V::string, "", "where the architecture comes from (paper, config file)"),
      key("layers", V::integer, "", "transformer layers L", true),
      key("hidden", V::integer, "", "hidden size h", true),
      key("heads", V::integer, "", "attention (query) heads a", true),
      key("kv_heads", V::integer, "", "key/value heads g for grouped-query attention; default: heads"),
      key("head_dim", V::integer, "", "size of one head (kv_channels); default: hidden / heads"),
      key("ffn", V::integer, "", "MLP inner size F; default: 4 x hidden"),
      key("vocab", V::integer, "", "vocabulary size V, as padded for training", true),
      key("max_position", V::integer, "", "rows of the learned position table (position: learned)"),
      choice("mlp", "gelu", {"gelu", "relu", "swiglu"}, "MLP kind: gelu/relu (2 matrices) or swiglu (3 matrices)"),
      choice("position", "learned", {"learned", "rope", "alibi"}, "position encoding; only learned has parameters"),
      choice("norm", "layernorm", {"layernorm", "rmsnorm"}, "normalisation: layernorm (weight + bias) or rmsnorm (weight)"),
      key("tied_embeddings", V::boolean, "false", "output layer shares the input embedding matrix"),
      key("bias", V::boolean, "true", "linear layers carry biases"),
      key("embedding_norm", V::boolean, "false", "a norm right after the word embedding (BLOOM)"),
      key("dropout", V::boolean, "true", "dropout active in training (1-byte masks are stored)"),
  };
}

std::vector<KeyDef> gpu_defs() {
  using V = ValueType;
  return {
      key("name", V::string, "", "display name; default: the file name"),
      key("source", V::string, "", "where the figures come from"),
      key("sms", V::integer, "", "streaming multiprocessors", true),
      qty("peak.fp32", Dimension::flop_rate, "dense FP32 (CUDA cores)", true),
      qty("peak.tf32", Dimension::flop_rate, "dense TF32 tensor core", true),
      qty("peak.fp16", Dimension::flop_rate, "dense FP16 tensor core", true),
      qty("peak.bf16", Dimension::flop_rate, "dense BF16 tensor core", true),
      qty("peak.fp8", Dimension::flop_rate, "dense FP8 tensor core; omit when unsupported", false),
      qty("hbm", Dimension::bytes, "HBM capacity", true),
      qty("hbm_bandwidth", Dimension::bandwidth, "HBM peak bandwidth", true),
  };
}

std::vector<KeyDef> cluster_defs() {
  using V = ValueType;
  return {
      key("name", V::string, "", "display name; default: the file name"),
      key("source", V::string, "", "where the figures come from"),
      key("nodes", V::integer, "", "nodes in the cluster", true),
      key("node.gpus", V::integer, "", "GPUs per node", true),
      key("node.gpu", V::path, "", "GPU card: a name in topologies/gpus/ or a path", true),
      qty("node.host_memory", Dimension::bytes, "host DRAM per node", true),
      qty("node.host_memory_bandwidth", Dimension::bandwidth, "host DRAM bandwidth per node", true),
      qty("node.nvme_capacity", Dimension::bytes, "local NVMe capacity per node usable for offload", false, "0B"),
      qty("node.nvme_read", Dimension::bandwidth, "aggregate local NVMe read bandwidth per node", false, "0B/s"),
      qty("node.nvme_write", Dimension::bandwidth, "aggregate local NVMe write bandwidth per node", false, "0B/s"),
  };
}

}  // namespace

const KeyTable& model_keys() {
  static const KeyTable table("model card", model_defs());
  return table;
}

const KeyTable& gpu_keys() {
  static const KeyTable table("GPU card", gpu_defs());
  return table;
}

const KeyTable& cluster_keys() {
  static const KeyTable table("cluster card", cluster_defs());
  return table;
}

}  // namespace trainsim
