#include "sim/load/scenario_loader.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "sim/config/config_doc.hpp"
#include "sim/config/units.hpp"
#include "sim/load/hardware_loader.hpp"
#include "sim/spec/limits.hpp"
#include "sim/spec/plausibility.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/load/doc_read.hpp"
#include "sim/load/finetune_reader.hpp"
#include "sim/load/moe_reader.hpp"
#include "sim/load/profile_defaults.hpp"
#include "sim/load/scenario_imports.hpp"
#include "sim/load/scenario_preview.hpp"
#include "sim/spec/input_file.hpp"
#include "sim/spec/sharding.hpp"

namespace trainsim {
namespace {

// A path key's value relative to the scenario file's folder (absolute paths as given).
std::string zoo_relative(const ConfigDoc& d, const std::string& key) {
  std::filesystem::path p(d.get_string(key));
  if (p.is_absolute() || d.file().empty()) return p.string();
  std::filesystem::path beside = std::filesystem::path(d.file()).parent_path() / p;
  std::error_code ec;  // a path the OS cannot look up (name too long) does not exist: no throw
  return std::filesystem::exists(beside, ec) || !std::filesystem::exists(p, ec) ? beside.string() : p.string();
}

void read_offload_options(const ConfigDoc& d, OffloadPlan& o) {
  o.pin_memory = d.get_bool("offload.pin_memory");
  o.optimizer_buffer_count = get_i(d, "offload.optimizer_buffer_count");
  o.param_buffer_count = get_i(d, "offload.param_buffer_count");
  o.param_buffer_elements = d.get_quantity("offload.param_buffer_size");
  o.max_in_cpu_elements = d.get_quantity("offload.max_in_cpu");
  o.nvme_path = d.get_string("offload.nvme_path");
  o.cpu_adam_rate = d.get_quantity("offload.cpu_adam_throughput");
  o.aio.block_size = Bytes(d.get_quantity("offload.aio_block_size"));
  o.aio.queue_depth = get_i(d, "offload.aio_queue_depth");
  o.aio.thread_count = get_i(d, "offload.aio_thread_count");
  o.aio.single_submit = d.get_bool("offload.aio_single_submit");
  o.aio.overlap_events = d.get_bool("offload.aio_overlap_events");
}

void read_training(const ConfigDoc& d, Scenario& s) {
  TrainingPlan& t = s.training;
  t.seq_len = get_i(d, "training.seq_len");
  t.micro_batch = get_i(d, "training.micro_batch");
  t.global_batch = get_i(d, "training.global_batch");
  t.precision = pick<Precision>(d, "training.precision");
  t.recompute = pick<Recompute>(d, "training.recompute");
  t.optimizer = pick<OptimizerKind>(d, "training.optimizer");
  t.flash_attention = d.get_bool("training.flash_attention");
  t.overlap.grad_reduce = d.get_bool("training.overlap_grad_reduce");
  t.overlap.param_gather = d.get_bool("training.overlap_param_gather");
  t.overlap.param_gather_with_step = d.get_bool("training.overlap_param_gather_with_optimizer_step");
  t.overlap.tp_comm = d.get_bool("training.tp_comm_overlap");
  t.overlap.p2p = d.get_bool("training.overlap_p2p_comm");
  t.overlap.grad_clip = d.get_bool("training.grad_clip");
  t.host_dispatch_s = d.get_quantity("training.host_dispatch_time");
  t.launch_blocking = d.get_bool("training.cuda_launch_blocking");
  if (d.given("training.recompute_num_layers")) t.recompute_num_layers = get_i(d, "training.recompute_num_layers");
  t.recompute_method = pick_or_auto<RecomputeMethod>(d, "training.recompute_method");
  if (d.given("training.dropout")) t.dropout = d.get_quantity("training.dropout");
  t.compile = d.get_bool("training.compile");
  t.cuda_graphs = d.get_bool("training.cuda_graphs");
  t.cuda_graph_scope = pick<CudaGraphScope>(d, "training.cuda_graph_scope");
  t.fused_rmsnorm = d.get_bool("training.fused_rmsnorm");
  t.fp8_recipe = pick_or_auto<Fp8Recipe>(d, "training.fp8_recipe");
  if (d.given("training.compute_profile")) {
    t.compute_profile = zoo_relative(d, "training.compute_profile");
    check_input_file(t.compute_profile,
                     "compute profile '" + shown_name(t.compute_profile) +
                         "' (give a CSV file, a path relative to the scenario's folder or absolute, with the header "
                         "block,forward_ms,backward_ms[,recompute_ms])",
                     d.where("training.compute_profile"));
  }
  s.offload.optimizer = pick<OffloadDevice>(d, "offload.optimizer");
  s.offload.params = pick<OffloadDevice>(d, "offload.params");
  read_offload_options(d, s.offload);
}

// training.grad_dtype: the megatron convention's main-gradient type. A 16-bit
// choice must be the training's 16-bit type (the grad buffer takes the
// parameters' dtype: bf16 under bf16 and fp8, fp16 under fp16).
void read_grad_dtype(const ConfigDoc& d, Scenario& s) {
  const std::string g = d.get_choice("training.grad_dtype");
  if (g == "auto") return;
  if (s.memory.convention == MemoryConvention::deepspeed)
    d.fail("training.grad_dtype", "'" + g +
                                      "' applies to the megatron and fsdp memory conventions (fsdp: FSDP2's "
                                      "reduce_dtype); under the deepspeed "
                                      "convention DeepSpeed's optimizer fixes the gradient type: use auto "
                                      "(or set memory.convention: megatron)");
  const Precision p = s.training.precision;
  const std::string sixteen = p == Precision::fp16 ? "fp16" : "bf16";
  if (g != "fp32" && (p == Precision::fp32 || g != sixteen))
    d.fail("training.grad_dtype", "'" + g + "' does not match training.precision " + to_string(p) +
                                      "; valid: auto, fp32" + (p == Precision::fp32 ? std::string() : ", " + sixteen));
  s.training.grad_bytes = g == "fp32" ? 4 : 2;
}

// The convention a framework's optimizer keeps (framework.name help, sim/config/keys_scenario.cpp):
// DeepSpeed's ZeRO optimizer for deepspeed, megatron-deepspeed and hf-trainer with a ds_config
// (transformers' integrations/deepspeed.py hands the model to deepspeed.initialize);
// Megatron's for the Megatron family; megatron for torchtitan and a plain hf-trainer as a
// placeholder until their own profiles.
MemoryConvention framework_convention(Framework f, bool ds_config) {
  switch (f) {
    case Framework::deepspeed:
    case Framework::megatron_deepspeed: return MemoryConvention::deepspeed;
    case Framework::hf_trainer: return ds_config ? MemoryConvention::deepspeed : MemoryConvention::megatron;
    case Framework::torchtitan: return MemoryConvention::fsdp;  // FSDP2's accounting (model_states.hpp)
    default: return MemoryConvention::megatron;
  }
}

// memory.convention, else framework.name, else a ds_config (deepspeed), else the
// default framework megatron-lm: never the ZeRO stage or offload (issue 18).
void read_convention(const ConfigDoc& d, Scenario& s, bool ds_config) {
  MemoryOptions& m = s.memory;
  const std::optional<Framework> framework = pick_or_auto<Framework>(d, "framework.name");
  s.framework = resolved_framework(d, ds_config);
  m.convention = framework_convention(s.framework, ds_config);
  m.convention_source = framework ? ConventionSource::framework
                                  : (ds_config ? ConventionSource::ds_config : ConventionSource::default_value);
  if (std::optional<MemoryConvention> c = pick_or_auto<MemoryConvention>(d, "memory.convention")) {
    m.convention = *c;
    m.convention_source = ConventionSource::key;
  }
}

void read_memory(const ConfigDoc& d, Scenario& s, bool ds_config) {
  MemoryOptions& m = s.memory;
  read_convention(d, s, ds_config);
  m.cuda_context = Bytes(d.get_quantity("memory.cuda_context"));
  m.allocator_overhead = d.get_quantity("memory.allocator_overhead");
  m.reduce_bucket_elements = d.get_quantity("memory.reduce_bucket_size");
  m.allgather_bucket_elements = d.get_quantity("memory.allgather_bucket_size");
  m.prefetch_bucket_elements = d.get_quantity("memory.prefetch_bucket_size");
  m.param_persistence_threshold = d.get_quantity("memory.param_persistence_threshold");
  m.max_live_parameters = d.get_quantity("memory.max_live_parameters");
  m.max_reuse_distance = d.get_quantity("memory.max_reuse_distance");
  m.sub_group_size = d.get_quantity("memory.sub_group_size");
  read_grad_dtype(d, s);
}

// network.transport and NCCL's own spellings (network.nccl_env.*): socket
// transport when any of them asks for it; a conflict, or socket on a card
// without Ethernet ports, is an error at the key that asked.
std::string place(const SourceLocation& w) { return w.line > 0 ? w.file + ":" + std::to_string(w.line) : w.file; }

void read_transport(const ConfigDoc& d, Scenario& s) {
  const char* kTransport = "network.transport";
  const char* kIbDisable = "network.nccl_env.NCCL_IB_DISABLE";
  const char* kNet = "network.nccl_env.NCCL_NET";
  std::string asked_by;  // the key that chose the socket transport
  if (d.given(kNet)) asked_by = d.get_choice(kNet) == "Socket" ? kNet : "";
  if (d.get_choice(kIbDisable) == "1") {
    if (d.given(kNet) && d.get_choice(kNet) == "IB")
      d.fail(kNet, "IB contradicts NCCL_IB_DISABLE=1 (" + place(d.where(kIbDisable)) + "); give one of them");
    asked_by = kIbDisable;
  }
  TransportSpec& t = s.cluster.transport;
  t.kind = pick<NetTransport>(d, kTransport);
  if (!asked_by.empty() && d.given(kTransport) && t.kind == NetTransport::ib)
    d.fail(kTransport, "ib contradicts " + asked_by + " (" + place(d.where(asked_by)) +
                           "), which selects NCCL's socket transport; give one of them");
  if (!asked_by.empty()) t.kind = NetTransport::socket;
  if (asked_by.empty()) asked_by = kTransport;
  t.socket_threads = get_i(d, "network.nccl_env.NCCL_SOCKET_NTHREADS");
  t.socks_per_thread = get_i(d, "network.nccl_env.NCCL_NSOCKS_PERTHREAD");
  if (t.socket_threads * t.socks_per_thread > 64) {  // net_socket.cc: MAX_SOCKETS 64, per-thread count lowered
    t.socks_per_thread = 64 / t.socket_threads;
    s.imports.warnings.push_back(
        "NCCL_SOCKET_NTHREADS x NCCL_NSOCKS_PERTHREAD exceeds NCCL's 64 sockets: "
        "NCCL lowers NCCL_NSOCKS_PERTHREAD to " +
        std::to_string(t.socks_per_thread));
  }
  if (t.kind == NetTransport::socket && !s.cluster.node.ethernet.present())
    d.fail(asked_by, "NCCL's socket transport runs over the nodes' Ethernet ports, and cluster card '" +
                         s.cluster.name + "' (" + s.cluster.file +
                         ") names none: add node.ethernet.count and node.ethernet.bandwidth to the card, "
                         "or use network.transport: ib");
}

// Every key's text after imports; file references as absolute paths (zoo names
// stay names), derived sizes as resolved, so that the text reproduces the run.
std::map<std::string, std::string> resolved_texts(const ConfigDoc& d, const Zoo& zoo, const Scenario& s) {
  std::map<std::string, std::string> out;
  for (const KeyDef& k : d.table().keys()) out[k.path] = d.text_of(k.path);
  for (const auto& [key, kind] : {std::pair{"model", ZooKind::model}, std::pair{"cluster", ZooKind::cluster}}) {
    const std::string ref = d.text_of(key);
    bool is_path = ref.find('/') != std::string::npos || ref.find('.') != std::string::npos;
    if (d.given(key) && is_path && !d.is_inline(key))
      out[key] = std::filesystem::absolute(zoo.resolve(kind, ref, d.file(), d.where(key))).lexically_normal().string();
  }
  if (!s.training.compute_profile.empty())
    out["training.compute_profile"] = std::filesystem::absolute(s.training.compute_profile).lexically_normal().string();
  out["nodes"] = std::to_string(s.nodes);
  out["gpus"] = std::to_string(s.gpus);
  out["parallel.dp"] = std::to_string(s.parallel.dp);
  out["parallel.schedule"] = to_string(s.parallel.schedule);
  return out;
}

// training.seq_len not given (nor imported): the model's context length when
// known, else the key table's default; either way said in the import log.
void default_seq_len(const ConfigDoc& d, Scenario& s) {
  if (d.given("training.seq_len")) return;
  const ModelSpec& m = s.model;
  std::string said = "training.seq_len not given: using ";
  if (m.context_length > 0) {
    s.training.seq_len = m.context_length;
    s.resolved_texts["training.seq_len"] = std::to_string(m.context_length);
    said += "the model's context length " + std::to_string(m.context_length) + " (" + m.context_source + ")";
  } else {
    said += "the default " + std::to_string(s.training.seq_len) + " (" + m.name + " gives no context length)";
  }
  s.imports.assumptions.push_back(said);
}

// Neither memory.convention, framework.name nor a ds_config chose the convention.
// run and mem always state it with its source (convention_text); the import
// log says it too where ZeRO-2/3 or offload is set, plans that DeepSpeed users
// write and that got DeepSpeed's accounting before issue 18. The convention
// itself never depends on them.
void say_default_convention(Scenario& s) {
  if (s.memory.convention_source != ConventionSource::default_value) return;
  const bool deepspeed_like = s.parallel.zero_stage >= 2 || s.offload.optimizer != OffloadDevice::none ||
                              s.offload.params != OffloadDevice::none;
  if (!deepspeed_like) return;
  s.imports.assumptions.push_back(
      "framework.name not given and no ds_config: using megatron-lm's memory accounting (memory.convention " +
      std::string(to_string(s.memory.convention)) + ") for this ZeRO-" + std::to_string(s.parallel.zero_stage) +
      " plan; for DeepSpeed's set framework.name: deepspeed (or memory.convention)");
}

// parallel.reshard_after_forward left at auto (no framework profile set it)
// decides for ZeRO-3 / FSDP: the import log says what (sharding.hpp
// resolved_reshard). DeepSpeed's ZeRO-3 has no such choice (it always
// releases after use): nothing to say there.
void say_reshard(Scenario& s) {
  if (s.parallel.zero_stage < 3 || s.parallel.reshard_after_forward != defaults::kReshardAuto) return;
  if (s.memory.convention == MemoryConvention::deepspeed) return;
  s.imports.assumptions.push_back(std::string("parallel.reshard_after_forward auto: ") +
                                  (resolved_reshard(s) == 0 ? "false" : "true") + " (framework.name " +
                                  to_string(s.framework) +
                                  " sets no policy; FSDP2's default frees each block after its forward and "
                                  "gathers it again for its backward)");
}

// parallel.reshard_after_forward: auto, true, false or a group size N >= 2.
int read_reshard(const ConfigDoc& d) {
  const char* key = "parallel.reshard_after_forward";
  const std::string v = d.get_string(key);
  if (v == "auto") return defaults::kReshardAuto;
  // A boolean word (parse_boolean's set), but not 1/0: a number here is a group size.
  if (std::optional<bool> b = parse_boolean(v); b && v != "1" && v != "0") return *b ? 1 : 0;
  std::size_t used = 0;
  int n = 0;
  try {
    n = std::stoi(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size() || n < 2)
    d.fail(key,
           "'" + v +
               "' is not valid; give auto, true, false (also yes/no, on/off, any case) or a group size N >= 2 (FSDP2 "
               "reshard_after_forward as an int)");
  return n;
}

// HSDP and FSDP keys of parallel.* (the layout itself comes from scenario_preview).
void read_sharding(const ConfigDoc& d, Scenario& s) {
  ParallelPlan& p = s.parallel;  // dp_replicate and dp_shard: scenario_preview derive_hsdp
  p.reshard_after_forward = read_reshard(d);
  // FSDP2 fully_shard: an int reshard_after_forward must divide the shard
  // mesh dimension (the post-forward mesh splits it into groups of N).
  const long long shard = 1LL * shard_dp(p) * p.cp;
  if (p.zero_stage >= 3 && p.reshard_after_forward >= 2 && shard % p.reshard_after_forward != 0)
    d.fail("parallel.reshard_after_forward", std::to_string(p.reshard_after_forward) + " does not divide the " +
                                                 std::to_string(shard) +
                                                 " ranks of the shard group (dp_shard x cp); give a divisor of " +
                                                 std::to_string(shard) + ", true or false");
  s.framework_version = d.get_string("framework.version");
}

Scenario from_doc(const ConfigDoc& d, const Zoo& zoo, const std::optional<ModelSpec>& flag_model, bool ds_config,
                  bool memory_only) {
  Scenario s = scenario_preview(d, zoo, flag_model);
  refuse_unsimulated(d, s.model, memory_only);
  s.locations = d.locations();
  read_training(d, s);
  read_finetune(d, s);
  read_moe(d, s);
  read_sharding(d, s);
  read_memory(d, s, ds_config);
  s.network.algorithm = pick_or_auto<NcclAlgo>(d, "network.algorithm");
  s.network.protocol = pick_or_auto<NcclProto>(d, "network.protocol");
  s.resolved_texts = resolved_texts(d, zoo, s);
  return s;
}

Scenario load(ConfigDoc d, const Zoo& zoo, const ImportOptions& options,
              const std::function<void(Scenario&)>& adjust = nullptr) {
  ImportLog log;
  std::optional<ModelSpec> flag_model = apply_imports(d, zoo, options, log);
  apply_profile_defaults(d, !log.ds_config_file.empty(), log);
  Scenario s = from_doc(d, zoo, flag_model, !log.ds_config_file.empty(), options.memory_only);
  s.imports = std::move(log);
  for (std::string& w : implausible_link_rates(s.cluster)) s.imports.warnings.push_back(std::move(w));
  read_transport(d, s);
  default_seq_len(d, s);
  say_default_convention(s);
  say_reshard(s);
  if (adjust) adjust(s);
  validate_layout(s);
  return s;
}

}  // namespace

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides, const Zoo& zoo,
                       const ImportOptions& imports) {
  ConfigDoc d = ConfigDoc::load_file(path, scenario_keys());
  for (const auto& o : overrides) d.apply_override(o);
  return load(std::move(d), zoo, imports);
}

Scenario load_scenario_string(const std::string& yaml, const std::string& file,
                              const std::vector<std::string>& overrides, const Zoo& zoo, const ImportOptions& imports) {
  ConfigDoc d = ConfigDoc::load_string(yaml, file, scenario_keys());
  for (const auto& o : overrides) d.apply_override(o);
  return load(std::move(d), zoo, imports);
}

Scenario load_scenario_string(const std::string& yaml, const std::string& file,
                              const std::vector<std::string>& overrides, const Zoo& zoo, const ImportOptions& imports,
                              const std::function<void(Scenario&)>& adjust) {
  ConfigDoc d = ConfigDoc::load_string(yaml, file, scenario_keys());
  for (const auto& o : overrides) d.apply_override(o);
  return load(std::move(d), zoo, imports, adjust);
}

}  // namespace trainsim
