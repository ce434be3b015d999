#include "sim/config/scenario_loader.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "sim/config/config_doc.hpp"
#include "sim/config/hardware_loader.hpp"
#include "sim/config/limits.hpp"
#include "sim/config/model_loader.hpp"
#include "sim/config/scenario_imports.hpp"

namespace trainsim {
namespace {

int get_i(const ConfigDoc& d, const std::string& key) { return static_cast<int>(d.get_int(key)); }

template <class E>
E pick(const ConfigDoc& d, const std::string& key, std::initializer_list<std::pair<const char*, E>> names) {
  std::string v = d.get_choice(key);
  for (const auto& [name, e] : names)
    if (v == name) return e;
  d.fail(key, "unhandled value '" + v + "'");
}

OffloadDevice offload_device(const ConfigDoc& d, const std::string& key) {
  return pick<OffloadDevice>(d, key, {{"none", OffloadDevice::none}, {"cpu", OffloadDevice::cpu},
                                      {"nvme", OffloadDevice::nvme}});
}

// A path key's value relative to the scenario file's folder (absolute paths as given).
std::string zoo_relative(const ConfigDoc& d, const std::string& key) {
  std::filesystem::path p(d.get_string(key));
  if (p.is_absolute() || d.file().empty()) return p.string();
  std::filesystem::path beside = std::filesystem::path(d.file()).parent_path() / p;
  std::error_code ec;  // a path the OS cannot look up (name too long) does not exist: no throw
  return std::filesystem::exists(beside, ec) || !std::filesystem::exists(p, ec) ? beside.string() : p.string();
}

// parallel.order must name tp, cp, dp and pp once each, joined by '-'.
void check_order(const ConfigDoc& d, const std::string& order) {
  std::vector<std::string> seen;
  std::size_t pos = 0;
  while (pos <= order.size()) {
    std::size_t end = std::min(order.find('-', pos), order.size());
    std::string name = order.substr(pos, end - pos);
    bool known = name == "tp" || name == "cp" || name == "dp" || name == "pp";
    if (!known || std::find(seen.begin(), seen.end(), name) != seen.end()) break;
    seen.push_back(name);
    pos = end + 1;
  }
  if (seen.size() != 4 || pos <= order.size())
    d.fail("parallel.order", "'" + order + "' is not an order of the parallel dimensions; name tp, cp, dp and pp "
                             "once each joined by '-', fastest first (default tp-cp-dp-pp)");
}

// nodes and gpus: explicit values win; else derive from dp when given; else the card's size.
// Counts are formed in 64 bits and checked against kMaxGpus before they are narrowed.
void resolve_size(const ConfigDoc& d, Scenario& s) {
  const long long per_node = s.cluster.node.gpus;
  long long gpus = 0, nodes = 0;
  std::string key = "gpus";
  if (d.given("gpus")) {
    gpus = d.get_int("gpus");
    nodes = d.given("nodes") ? d.get_int("nodes") : (gpus + per_node - 1) / per_node;
  } else if (d.given("nodes")) {
    nodes = d.get_int("nodes");
    gpus = nodes * per_node;
    key = "nodes";
  } else if (d.given("parallel.dp")) {
    gpus = d.get_int("parallel.dp") * s.parallel.tp * s.parallel.pp * s.parallel.cp;  // each <= 2^18: fits
    nodes = (gpus + per_node - 1) / per_node;
    key = "parallel.dp";
  } else {
    nodes = s.cluster.nodes;
    gpus = nodes * per_node;
    key = "cluster";
  }
  if (gpus > static_cast<long long>(kMaxGpus))
    d.fail(key, "the scenario would use " + std::to_string(gpus) + " GPUs; trainsim accepts at most " +
                    std::to_string(static_cast<long long>(kMaxGpus)) + " (docs/limits.md); lower gpus, nodes or dp");
  if (gpus > nodes * per_node)
    d.fail("gpus", std::to_string(gpus) + " GPUs do not fit on " + std::to_string(nodes) + " nodes of " +
                       std::to_string(per_node) + " GPUs; raise nodes to " +
                       std::to_string((gpus + per_node - 1) / per_node) + " or lower gpus");
  s.gpus = static_cast<int>(gpus);
  s.nodes = static_cast<int>(nodes);
}

void read_parallel(const ConfigDoc& d, Scenario& s) {
  ParallelPlan& p = s.parallel;
  p.tp = get_i(d, "parallel.tp");
  p.pp = get_i(d, "parallel.pp");
  p.cp = get_i(d, "parallel.cp");
  p.vp = get_i(d, "parallel.vp");
  p.sequence_parallel = d.get_bool("parallel.sequence_parallel");
  p.zero_stage = get_i(d, "parallel.zero_stage");
  p.embedding_in_pp_split = d.get_bool("parallel.embedding_in_pp_split");
  p.order = d.get_string("parallel.order");
  p.deepspeed_pipeline = d.get_choice("parallel.pipeline_engine") == "deepspeed";
  check_order(d, p.order);
  if (d.given("parallel.schedule") || p.vp == 1)
    p.schedule = pick<Schedule>(d, "parallel.schedule", {{"gpipe", Schedule::gpipe},
                                                         {"1f1b", Schedule::one_f_one_b},
                                                         {"interleaved-1f1b", Schedule::interleaved_1f1b}});
  else
    p.schedule = Schedule::interleaved_1f1b;  // vp > 1 implies Megatron's interleaved schedule
}

void derive_dp(const ConfigDoc& d, Scenario& s) {
  ParallelPlan& p = s.parallel;
  if (d.given("parallel.dp")) {
    p.dp = get_i(d, "parallel.dp");
    return;
  }
  const long long model_parallel = 1LL * p.tp * p.pp * p.cp;  // each <= 2^18: fits in 64 bits
  if (s.gpus % model_parallel != 0)
    d.fail("parallel.tp", "tp x pp x cp = " + std::to_string(model_parallel) + " does not divide the " +
                              std::to_string(s.gpus) + " GPUs, so dp cannot be derived; choose sizes whose "
                              "product divides the GPU count");
  p.dp = static_cast<int>(s.gpus / model_parallel);
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
  t.precision = pick<Precision>(d, "training.precision", {{"fp32", Precision::fp32}, {"fp16", Precision::fp16},
                                                          {"bf16", Precision::bf16}, {"fp8", Precision::fp8}});
  t.recompute = pick<Recompute>(d, "training.recompute", {{"none", Recompute::none},
                                                          {"selective", Recompute::selective},
                                                          {"full", Recompute::full}});
  t.optimizer = pick<OptimizerKind>(d, "training.optimizer", {{"adam", OptimizerKind::adam}, {"sgd", OptimizerKind::sgd}});
  t.flash_attention = d.get_bool("training.flash_attention");
  t.overlap.grad_reduce = d.get_bool("training.overlap_grad_reduce");
  t.overlap.param_gather = d.get_bool("training.overlap_param_gather");
  t.overlap.tp_comm = d.get_bool("training.tp_comm_overlap");
  t.overlap.p2p = d.get_bool("training.overlap_p2p_comm");
  t.overlap.grad_clip = d.get_bool("training.grad_clip");
  t.host_dispatch_s = d.get_quantity("training.host_dispatch_time");
  t.launch_blocking = d.get_bool("training.cuda_launch_blocking");
  if (d.given("training.compute_profile")) {
    t.compute_profile = zoo_relative(d, "training.compute_profile");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(t.compute_profile, ec))
      d.fail("training.compute_profile", "cannot open '" + t.compute_profile + "'; give a CSV file (a path relative to "
                                         "the scenario's folder or absolute) with the header "
                                         "block,forward_ms,backward_ms[,recompute_ms]");
  }
  s.offload.optimizer = offload_device(d, "offload.optimizer");
  s.offload.params = offload_device(d, "offload.params");
  read_offload_options(d, s.offload);
}

// training.grad_dtype: the megatron convention's main-gradient type. A 16-bit
// choice must be the training's 16-bit type (the grad buffer takes the
// parameters' dtype: bf16 under bf16 and fp8, fp16 under fp16).
void read_grad_dtype(const ConfigDoc& d, Scenario& s) {
  const std::string g = d.get_choice("training.grad_dtype");
  if (g == "auto") return;
  if (s.memory.convention != MemoryConvention::megatron)
    d.fail("training.grad_dtype", "'" + g + "' applies to the megatron memory convention; under the deepspeed "
                                  "convention DeepSpeed's optimizer fixes the gradient type: use auto "
                                  "(or set memory.convention: megatron)");
  const Precision p = s.training.precision;
  const std::string sixteen = p == Precision::fp16 ? "fp16" : "bf16";
  if (g != "fp32" && (p == Precision::fp32 || g != sixteen))
    d.fail("training.grad_dtype", "'" + g + "' does not match training.precision " + to_string(p) + "; valid: auto, fp32" +
                                  (p == Precision::fp32 ? std::string() : ", " + sixteen));
  s.training.grad_bytes = g == "fp32" ? 4 : 2;
}

void read_memory(const ConfigDoc& d, Scenario& s) {
  MemoryOptions& m = s.memory;
  std::string c = d.get_choice("memory.convention");
  bool deepspeed_like = s.parallel.zero_stage >= 2 || s.offload.optimizer != OffloadDevice::none ||
                        s.offload.params != OffloadDevice::none;
  if (c == "auto") m.convention = deepspeed_like ? MemoryConvention::deepspeed : MemoryConvention::megatron;
  else m.convention = c == "deepspeed" ? MemoryConvention::deepspeed : MemoryConvention::megatron;
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

ModelSpec scenario_model(const ConfigDoc& d, const Zoo& zoo, const std::optional<ModelSpec>& flag_model) {
  if (flag_model) {
    if (d.given("model")) return load_model_ref(d, "model", zoo);  // apply_imports checked the flags against it
    return *flag_model;
  }
  if (!d.given("model"))
    d.fail("model", "missing required key (a name in models/, a path to a model YAML or a Hugging Face config.json); "
                    "or give the model's dimensions as Megatron-LM flags in megatron_args");
  return load_model_ref(d, "model", zoo);
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

Scenario from_doc(const ConfigDoc& d, const Zoo& zoo, const std::optional<ModelSpec>& flag_model) {
  Scenario s;
  s.file = d.file();
  s.locations = d.locations();
  s.model = scenario_model(d, zoo, flag_model);
  auto cluster_file = zoo.resolve(ZooKind::cluster, d.get_string("cluster"), d.file(), d.where("cluster"));
  s.cluster = load_cluster_card(cluster_file.string(), zoo);
  read_parallel(d, s);
  resolve_size(d, s);
  derive_dp(d, s);
  read_training(d, s);
  read_memory(d, s);
  s.network.algorithm = d.get_choice("network.algorithm");
  s.network.protocol = d.get_choice("network.protocol");
  s.resolved_texts = resolved_texts(d, zoo, s);
  return s;
}

Scenario load(ConfigDoc d, const Zoo& zoo, const ImportOptions& options,
              const std::function<void(Scenario&)>& adjust = nullptr) {
  ImportLog log;
  std::optional<ModelSpec> flag_model = apply_imports(d, zoo, options, log);
  Scenario s = from_doc(d, zoo, flag_model);
  s.imports = std::move(log);
  if (adjust) adjust(s);
  validate_layout(s);
  return s;
}

}  // namespace

Scenario scenario_preview(const ConfigDoc& d, const Zoo& zoo, const std::optional<ModelSpec>& flag_model) {
  Scenario s;
  s.file = d.file();
  s.model = scenario_model(d, zoo, flag_model);
  auto cluster_file = zoo.resolve(ZooKind::cluster, d.get_string("cluster"), d.file(), d.where("cluster"));
  s.cluster = load_cluster_card(cluster_file.string(), zoo);
  read_parallel(d, s);
  resolve_size(d, s);
  derive_dp(d, s);
  return s;
}

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
