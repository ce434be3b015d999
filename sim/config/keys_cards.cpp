// Key tables of the model, GPU and cluster cards.
#include "sim/config/keys.hpp"
#include "sim/spec/card_defaults.hpp"
#include "sim/spec/enum_names.hpp"
#include "sim/spec/limits.hpp"

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

// `k` with the inclusive maximum `max` (sim/spec/limits.hpp).
KeyDef capped(KeyDef k, double max) {
  k.max = max;
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

KeyDef count(std::string path, std::string def, std::string help) {
  KeyDef k = key(std::move(path), ValueType::integer, std::move(def), std::move(help));
  k.min = 0;
  return k;
}

KeyDef number(std::string path, std::string def, std::string help, double min) {
  KeyDef k = key(std::move(path), ValueType::number, std::move(def), std::move(help));
  k.min = min;
  return k;
}

// The keys of a model card (data table).
std::vector<KeyDef> model_defs() {
  using V = ValueType;
  return {
      key("name", V::string, "", "display name; default: the file name"),
      key("source", V::string, "", "where the architecture comes from (paper, config file)"),
      capped(key("layers", V::integer, "", "transformer layers L", true), kMaxLayers),
      capped(key("hidden", V::integer, "", "hidden size h", true), kMaxWidth),
      capped(key("heads", V::integer, "", "attention (query) heads a", true), kMaxHeads),
      capped(key("kv_heads", V::integer, "", "key/value heads g for grouped-query attention; default: heads"),
             kMaxHeads),
      capped(key("head_dim", V::integer, "", "size of one head (kv_channels); default: hidden / heads"), kMaxWidth),
      capped(key("ffn", V::integer, "", "MLP inner size F; default: 4 x hidden"), kMaxWidth),
      capped(key("vocab", V::integer, "", "vocabulary size V, as padded for training", true), kMaxVocab),
      capped(key("max_position", V::integer, "", "rows of the learned position table (position: learned)"),
             kMaxSequence),
      capped(key("context_length", V::integer, "",
                 "longest sequence the model was trained for (HF max_position_embeddings); the default "
                 "training.seq_len of a scenario that gives none; default: max_position for learned positions"),
             kMaxSequence),
      choice("mlp", "gelu", enum_names<MlpKind>(), "MLP kind: gelu/relu (2 matrices) or swiglu (3 matrices)"),
      choice("position", "learned", enum_names<PositionKind>(), "position encoding; only learned has parameters"),
      choice("norm", "layernorm", enum_names<NormKind>(),
             "normalisation: layernorm (weight + bias) or rmsnorm (weight)"),
      key("tied_embeddings", V::boolean, "false", "output layer shares the input embedding matrix"),
      key("bias", V::boolean, "true", "linear layers carry biases"),
      key("embedding_norm", V::boolean, "false", "a norm right after the word embedding (BLOOM)"),
      key("dropout", V::boolean, "true", "dropout active in training (1-byte masks are stored)"),
      // Attention shapes (docs/models.md)
      key("add_qkv_bias", V::boolean, "false",
          "Q, K and V projections carry biases though `bias` is false (Qwen2 / Qwen2-MoE; Megatron add_qkv_bias)"),
      key("qk_layernorm", V::boolean, "false",
          "a norm of head_dim on every query and key head (Qwen3 q_norm / k_norm; Megatron qk_layernorm)"),
      key("attention_sinks", V::boolean, "false", "one learned sink logit per head per layer (GPT-OSS `sinks`)"),
      capped(count("sliding_window", "0", "attention window of the sliding-window layers in tokens; 0 = none"),
             kMaxSequence),
      key("sliding_window_layers", V::string, "",
          "which layers use the window, as moe_layer_freq writes them (GPT-OSS: ([1,0]*18)); default: all "
          "layers when sliding_window > 0"),
      capped(
          count("q_lora_rank", "0", "MLA: query compression rank; 0 = queries projected directly (DeepSeek-V2-Lite)"),
          kMaxWidth),
      capped(count("kv_lora_rank", "0", "MLA: key/value compression rank; > 0 makes the attention multi-head latent"),
             kMaxWidth),
      capped(count("qk_nope_head_dim", "0", "MLA: per-head query/key width without rotary embedding"), kMaxWidth),
      capped(count("qk_rope_head_dim", "0", "MLA: per-head query/key width with rotary embedding"), kMaxWidth),
      capped(count("v_head_dim", "0", "MLA: per-head value width"), kMaxWidth),
      // Mixture of experts (Megatron-core TransformerConfig names; docs/models.md)
      capped(count("num_moe_experts", "0", "routed experts per MoE layer; 0 = a dense model"), kMaxHeads),
      capped(count("moe_router_topk", "0", "routed experts each token is sent to (top-k)"), kMaxHeads),
      capped(count("moe_ffn_hidden_size", "", "FFN size of one routed expert; default: ffn"), kMaxWidth),
      capped(count("moe_shared_expert_intermediate_size", "0",
                   "FFN size of the shared experts together (n_shared x expert size); 0 = none"),
             kMaxWidth),
      key("moe_shared_expert_gate", V::boolean, "false", "a sigmoid gate h -> 1 on the shared expert (Qwen2-MoE)"),
      key("moe_layer_freq", V::string, "1",
          "which layers are MoE: an integer N (layer i when i % N == 0) or a 0/1 list per layer such as "
          "([0]*3+[1]*58)"),
      choice("moe_router_score_function", "softmax", enum_names<RouterScore>(),
             "softmax (Mixtral, Qwen) or sigmoid (DeepSeek-V3, Llama 4) scores of the router"),
      key("moe_router_enable_expert_bias", V::boolean, "false",
          "a per-expert routing bias (DeepSeek-V3's aux-loss-free e_score_correction_bias, noaux_tc): E parameters"),
      capped(count("moe_router_num_groups", "0", "expert groups of group-limited routing (n_group); 0 = off"),
             kMaxHeads),
      capped(count("moe_router_group_topk", "0", "groups a token may be routed to (topk_group)"), kMaxHeads),
      number("moe_expert_capacity_factor", "0",
             "tokens an expert takes, as a multiple of its even share; 0 = dropless (no token dropped)", 0),
      capped(count("mtp_num_layers", "0", "multi-token prediction modules (DeepSeek-V3: 1); not in the total"),
             kMaxLayers),
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
      qty("peak.fp4", Dimension::flop_rate,
          "dense FP4 tensor core (NVFP4 / MXFP4, Blackwell); omit when unsupported (training.precision fp4 needs it)",
          false),
      key("compute_capability", V::number, "",
          "CUDA compute capability major.minor (8.0 A100, 9.0 H100/H200, 10.0 B200/GB200, 10.3 B300/GB300; NVIDIA's "
          "CUDA GPUs list), which gates the FP8 recipes (training.fp8_recipe) and FP4 (10.0 and up); default: 9.0 "
          "with peak.fp8, else 8.0"),
      qty("hbm", Dimension::bytes, "HBM capacity", true),
      qty("hbm_bandwidth", Dimension::bandwidth, "HBM peak bandwidth", true),
      qty("tdp", Dimension::power, "maximum board power (TDP) of the GPU module; omit when not published", false),
      key("validated", V::boolean, "true",
          "false: no published measurement (nccl-tests, training runs) has checked a prediction on this card yet; "
          "a run then lists node.gpu.validated = false among its assumptions"),
      key("assumed", V::string, "",
          "comma-separated keys of this card whose values are derived, not datasheet figures (e.g. the peaks of "
          "a power-limited part)"),
  };
}

// `k` whose default is an assumption (KeyDef::assumed_default).
KeyDef assumed(KeyDef k) {
  k.assumed_default = true;
  return k;
}

// The keys of a cluster card (data table).
// clang-format off
std::vector<KeyDef> cluster_defs() {
  using V = ValueType;
  return {
      key("name", V::string, "", "display name; default: the file name"),
      key("source", V::string, "", "where the figures come from"),
      key("assumed", V::string, "",
          "the card's keys whose values are assumptions, not datasheet figures, separated by commas "
          "(e.g. \"node.cpu_adam_throughput, node.nics.latency\"); a run lists those its verdict depended on "
          "in summary.txt and summary.json (assumptions)"),
      capped(key("nodes", V::integer, "", "nodes in the cluster", true), kMaxNodes),
      capped(key("node.gpus", V::integer, "", "GPUs per node", true), kMaxGpusPerNode),
      key("node.gpu", V::path, "", "GPU card: a name in topologies/gpus/ or a path", true),
      qty("node.host_memory", Dimension::bytes, "host DRAM per node", true),
      qty("node.host_memory_bandwidth", Dimension::bandwidth, "host DRAM bandwidth per node", true),
      qty("node.nvme_capacity", Dimension::bytes, "local NVMe capacity per node usable for offload", false, "0B"),
      qty("node.nvme_read", Dimension::bandwidth, "aggregate local NVMe read bandwidth per node", false, "0B/s"),
      qty("node.nvme_write", Dimension::bandwidth, "aggregate local NVMe write bandwidth per node", false, "0B/s"),
      qty("node.storage_bandwidth", Dimension::bandwidth,
          "checkpoint write bandwidth per node to the shared storage (trainsim compare's goodput model, "
          "docs/compare.md); default: compare assumes 1GB/s (Llama 3's 2 TB/s over 2,048 nodes)", false),
      capped(key("node.nvme_drives", V::integer, std::to_string(defaults::kNvmeDrives),
          "local NVMe data drives per node; node.nvme_read and node.nvme_write are split evenly among them"), kMaxGpusPerNode),
      assumed(capped(qty("node.nvme_latency", Dimension::time,
          "service time of one NVMe I/O; with the aio queue (block x depth x threads in flight) it bounds the "
          "achieved rate by Little's law (default: an assumption, typical TLC NAND; not in "
          "docs/reference/hardware.md)", false, "100us"), kMaxLatencySeconds)),
      assumed(capped(qty("node.aio_submit_latency", Dimension::time,
          "host time of one io_submit system call (DeepSpeed aio submits a batch with one call, or each block with "
          "its own when aio.single_submit; default: an assumption, not in docs/reference/hardware.md)", false, "5us"), kMaxLatencySeconds)),
      assumed(qty("node.cpu_adam_throughput", Dimension::count,
          "parameters per second DeepSpeedCPUAdam updates using the whole node's CPUs (default: "
          "docs/reference/hardware.md §4f, CPU-Adam on a 72-core Grace, 0.1 s per billion parameters; an assumption "
          "for any other CPU: x86 cards state their own)", false, format_quantity_yaml(defaults::kNodeCpuAdamThroughput, Dimension::count))),
      qty("node.nvswitch.bandwidth", Dimension::bandwidth,
          "NVLink bandwidth per GPU per direction into the NVSwitch fabric; 0B/s = no NVSwitch (PCIe-only node)", false, "0B/s"),
      assumed(capped(qty("node.nvswitch.latency", Dimension::time, "GPU to GPU latency through NVSwitch (default: an assumption; cards state their own)", false, "0.5us"), kMaxLatencySeconds)),
      key("node.nvswitch.nvls", V::boolean, "false", "NVSwitch can reduce in the switch (NVLink SHARP, H100)"),
      capped(key("node.pcie.switches", V::integer, "", "PCIe switches per node", true), kMaxGpusPerNode),
      capped(key("node.pcie.gpus_per_switch", V::integer, "", "GPUs behind each PCIe switch", true), kMaxGpusPerNode),
      capped(key("node.pcie.nics_per_switch", V::integer, "", "compute NICs behind each PCIe switch", true), kMaxGpusPerNode),
      capped(count("node.pcie.nvme_per_switch", "0", "NVMe drives behind each PCIe switch (the rest hang off the CPUs)"), kMaxGpusPerNode),
      capped(key("node.pcie.switches_per_cpu", V::integer, "", "PCIe switches under each CPU root complex", true), kMaxGpusPerNode),
      qty("node.pcie.bandwidth", Dimension::bandwidth, "PCIe link bandwidth per direction (x16)", true),
      assumed(capped(qty("node.pcie.latency", Dimension::time, "latency of one PCIe hop (default: an assumption; cards state their own)", false, "0.5us"), kMaxLatencySeconds)),
      qty("node.pcie.pinned_efficiency", Dimension::fraction,
          "fraction of node.pcie.bandwidth a pinned host<->device copy achieves (default: "
          "docs/reference/hardware.md §4d, Gen4 x16 26.1 of 32 GB/s; Gen5 about 0.88)", false, format_quantity_yaml(defaults::kPinnedEfficiency, Dimension::fraction)),
      qty("node.pcie.pageable_factor", Dimension::fraction,
          "pageable host<->device copies relative to pinned ones (default: docs/reference/hardware.md §4d, "
          "12.7 vs 26.1 GB/s)", false, format_quantity_yaml(defaults::kPageableFactor, Dimension::fraction)),
      qty("node.c2c_bandwidth", Dimension::bandwidth,
          "NVLink-C2C bandwidth per GPU per direction between a GPU and its Grace CPU (GB200 / GB300: 900 GB/s "
          "bidirectional); when given, host-memory copies (CPU offload) take this link instead of the PCIe tree. "
          "0B/s = none (x86 hosts: PCIe)", false, "0B/s"),
      assumed(qty("node.cpu_interconnect", Dimension::bandwidth, "socket-to-socket bandwidth per direction (UPI / xGMI; default: an assumption)", false,
          "64GB/s")),
      capped(key("node.nics.count", V::integer, "", "compute-fabric NICs per node", true), kMaxGpusPerNode),
      qty("node.nics.bandwidth", Dimension::bandwidth, "line rate of one NIC per direction", true),
      assumed(capped(qty("node.nics.latency", Dimension::time, "NIC latency (each end; default: an assumption)", false, "1us"), kMaxLatencySeconds)),
      capped(count("node.ethernet.count", "0",
            "in-band Ethernet ports per node (storage / management NICs) that NCCL's socket transport uses "
            "(network.transport: socket); 0 = none, and socket transport is refused"), kMaxGpusPerNode),
      qty("node.ethernet.bandwidth", Dimension::bandwidth, "line rate of one Ethernet port per direction", false, "0B/s"),
      assumed(capped(qty("node.ethernet.latency", Dimension::time,
          "one message through the kernel TCP stack, each end, added to NCCL's network latency under socket "
          "transport (default: an assumption, not in docs/reference/hardware.md)", false, "10us"), kMaxLatencySeconds)),
      assumed(qty("node.ethernet.stream_bandwidth", Dimension::bandwidth,
          "what one TCP stream of NCCL's socket transport sustains (default: an assumption from "
          "docs/reference/hardware.md §4c.6, about 60% of a 32 Gb/s link with one socket per connection)", false, "20Gbps")),
      choice("fabric.kind", "rail_optimized", enum_names<FabricKind>(),
             "rail_optimized: one leaf per (unit, NIC index); fat_tree / roce_clos: one leaf per unit for all NICs"),
      capped(key("fabric.nodes_per_unit", V::integer, "", "nodes under one leaf group (a SuperPOD scalable unit, a rack)", true), kMaxNodes),
      capped(key("fabric.pod_nodes", V::integer, "", "nodes in one full-bisection pod; above it the core tier is oversubscribed", true), kMaxNodes),
      capped(key("fabric.spines_per_pod", V::integer, "", "spine switches per pod (ECMP width); default: NICs per node"), kMaxNodes),
      count("fabric.leaf_radix", "0",
            "ports of one leaf switch; when given, a leaf's node-facing ports (nodes_per_unit x NICs it serves) "
            "must fit in half of them (the other half go up, non-blocking). 0 = not checked"),
      number("fabric.oversubscription", format_quantity_yaml(defaults::kFabricOversubscription, Dimension::count), "bandwidth oversubscription of the tier above a pod (7 = 1:7)", 1),
      capped(qty("fabric.switch_latency", Dimension::time,
          "latency of one switch hop (default: HDR InfiniBand port latency, docs/reference/hardware.md §1.2 [S3])",
          false, "0.6us"), kMaxLatencySeconds),
  };
}
// clang-format on

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
