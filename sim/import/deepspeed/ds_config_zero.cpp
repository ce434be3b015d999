// ds_config.json "zero_optimization" (with offload_optimizer / offload_param)
// and "aio" -> scenario settings (ds_config.hpp). Defaults are DeepSpeed's
// code defaults (deepspeed/runtime/zero/config.py, offload_config.py,
// swap_tensor/aio_config.py); where the documentation (docs/_pages/config-json.md)
// says otherwise and the user relied on the default, a warning says so.
#include <cmath>

#include "sim/import/deepspeed/ds_reader.hpp"

namespace trainsim::ds {
namespace {

const char* kZero = "/zero_optimization";

std::string str(long long v) { return std::to_string(v); }

// "cpu" | "nvme" | "none" (DeepSpeed's OffloadDeviceEnum; the code default is "none").
std::string device(Reader& r, const std::string& section) {
  std::string p = section + "/device";
  std::string d = r.string(p).value_or("none");
  if (d != "none" && d != "cpu" && d != "nvme")
    r.fail(p, "'" + d + "' is not an offload device; valid: none, cpu, nvme");
  if (d == "nvme" && !r.has(section + "/nvme_path"))
    r.fail(p, "device \"nvme\" needs \"nvme_path\" (the NVMe mount DeepSpeed swaps to, e.g. \"/local_nvme\")");
  return d;
}

void read_offload_optimizer(Reader& r) {
  const std::string s = std::string(kZero) + "/offload_optimizer";
  if (!r.section(s, "offload_optimizer", {"device", "nvme_path", "buffer_count", "pin_memory", "ratio"})) return;
  r.set("offload.optimizer", device(r, s), s + "/device");
  if (auto p = r.string(s + "/nvme_path")) r.set("offload.nvme_path", *p, s + "/nvme_path");
  if (auto b = r.boolean(s + "/pin_memory")) r.set("offload.pin_memory", *b ? "true" : "false", s + "/pin_memory");
  if (auto n = r.integer(s + "/buffer_count", 1)) r.set("offload.optimizer_buffer_count", str(*n), s + "/buffer_count");
  if (auto ratio = r.number(s + "/ratio"); ratio && *ratio != 1.0)
    r.warn(dotted(s + "/ratio") + " = " + std::to_string(*ratio) +
           ": partial optimizer offload is not modelled; trainsim offloads all optimizer states");
}

void read_offload_param(Reader& r) {
  const std::string s = std::string(kZero) + "/offload_param";
  if (!r.section(s, "offload_param",
                 {"device", "nvme_path", "buffer_count", "buffer_size", "max_in_cpu", "pin_memory"}))
    return;
  r.set("offload.params", device(r, s), s + "/device");
  auto opt_pin = r.boolean(std::string(kZero) + "/offload_optimizer/pin_memory");
  auto pin = r.boolean(s + "/pin_memory");
  if (pin && opt_pin && *pin != *opt_pin)
    r.warn(
        "offload_param.pin_memory and offload_optimizer.pin_memory differ; trainsim has one offload.pin_memory "
        "and uses offload_optimizer's");
  else if (pin && !opt_pin)
    r.set("offload.pin_memory", *pin ? "true" : "false", s + "/pin_memory");
  auto opt_path = r.string(std::string(kZero) + "/offload_optimizer/nvme_path");
  if (auto p = r.string(s + "/nvme_path"); p && !opt_path) r.set("offload.nvme_path", *p, s + "/nvme_path");
  if (auto n = r.integer(s + "/buffer_count", 1)) r.set("offload.param_buffer_count", str(*n), s + "/buffer_count");
  if (auto n = r.integer(s + "/buffer_size")) r.set("offload.param_buffer_size", str(*n), s + "/buffer_size");
  if (auto n = r.integer(s + "/max_in_cpu")) r.set("offload.max_in_cpu", str(*n), s + "/max_in_cpu");
}

// Deprecated spellings DeepSpeed still maps: cpu_offload, cpu_offload_param, cpu_offload_use_pin_memory.
void read_legacy_offload(Reader& r) {
  const std::string z = kZero;
  if (r.boolean(z + "/cpu_offload").value_or(false))
    r.set("offload.optimizer", "cpu", z + "/cpu_offload", "deprecated key");
  if (r.boolean(z + "/cpu_offload_param").value_or(false))
    r.set("offload.params", "cpu", z + "/cpu_offload_param", "deprecated key");
  if (auto b = r.boolean(z + "/cpu_offload_use_pin_memory"))
    r.set("offload.pin_memory", *b ? "true" : "false", z + "/cpu_offload_use_pin_memory", "deprecated key");
}

struct Bucket {
  const char* ds_key;        // key under zero_optimization
  const char* scenario;      // scenario key
  long long code_default;    // DeepSpeed's code default (elements)
  const char* docs_default;  // what the documentation says when it differs, else nullptr
  bool zero3_only;
};

const Bucket kBuckets[] = {
    {"reduce_bucket_size", "memory.reduce_bucket_size", 500000000, nullptr, false},
    {"allgather_bucket_size", "memory.allgather_bucket_size", 500000000, nullptr, false},
    {"stage3_prefetch_bucket_size", "memory.prefetch_bucket_size", 50000000, "5e8", true},
    {"stage3_param_persistence_threshold", "memory.param_persistence_threshold", 100000, nullptr, true},
    {"stage3_max_live_parameters", "memory.max_live_parameters", 1000000000, nullptr, true},
    {"stage3_max_reuse_distance", "memory.max_reuse_distance", 1000000000, nullptr, true},
    {"sub_group_size", "memory.sub_group_size", 1000000000, "1e12 (its example)", true},
};

// "auto" as the HF Trainer fills it (trainer_config_finalize), from the model's hidden size.
std::optional<long long> hf_auto(Reader& r, const std::string& key, int stage) {
  long long h = r.ctx().hidden;
  if (key == "reduce_bucket_size") return h * h;
  if (stage == 3 && key == "stage3_prefetch_bucket_size") return static_cast<long long>(std::floor(0.9 * h * h));
  if (stage == 3 && key == "stage3_param_persistence_threshold") return 10 * h;
  return std::nullopt;
}

std::string auto_note(const std::string& key) {
  if (key == "reduce_bucket_size") return "auto: hidden^2";
  if (key == "stage3_prefetch_bucket_size") return "auto: 0.9 x hidden^2";
  return "auto: 10 x hidden";
}

void read_bucket(Reader& r, const Bucket& b, int stage) {
  std::string p = std::string(kZero) + "/" + b.ds_key;
  if (r.is_auto(p)) {
    auto v = hf_auto(r, b.ds_key, stage);
    if (!v) {
      v = b.code_default;
      r.warn(dotted(p) +
             " = \"auto\": the Hugging Face Trainer fills \"auto\" only for reduce_bucket_size and, with "
             "ZeRO-3, stage3_prefetch_bucket_size and stage3_param_persistence_threshold; using DeepSpeed's default " +
             str(*v));
    }
    r.resolve_auto(p, *v, hf_auto(r, b.ds_key, stage) ? auto_note(b.ds_key) : "auto: DeepSpeed default");
    r.set(b.scenario, str(*v), p, hf_auto(r, b.ds_key, stage) ? auto_note(b.ds_key) : "auto: DeepSpeed default");
  } else if (auto v = r.integer(p)) {
    r.set(b.scenario, str(*v), p);
  } else if (b.docs_default && stage == 3) {
    r.warn(dotted(p) + " not set: DeepSpeed's code default is " + str(b.code_default) + ", its documentation says " +
           b.docs_default + "; trainsim uses the code's " + str(b.code_default));
  }
}

// overlap_comm: the code's default is on for ZeRO-3 and off otherwise (validator
// overlap_comm_valid); the documentation says false.
void read_overlap(Reader& r, int stage) {
  std::string p = std::string(kZero) + "/overlap_comm";
  if (auto v = r.boolean(p)) {
    r.set("training.overlap_grad_reduce", *v ? "true" : "false", p);
    return;
  }
  bool on = stage == 3;
  r.set_default("training.overlap_grad_reduce", on ? "true" : "false", p,
                on ? "DeepSpeed's code turns overlap_comm on for ZeRO-3" : "DeepSpeed's overlap_comm default is false");
  if (on)
    r.warn(dotted(p) +
           " not set: DeepSpeed's code default is true for ZeRO-3 while its documentation says false; "
           "trainsim follows the code (gradient reduction overlapped with the backward)");
}

}  // namespace

void read_zero(Reader& r) {
  const std::string z = kZero;
  std::vector<std::string> modelled = {"stage",       "overlap_comm",      "offload_optimizer",         "offload_param",
                                       "cpu_offload", "cpu_offload_param", "cpu_offload_use_pin_memory"};
  for (const Bucket& b : kBuckets) modelled.push_back(b.ds_key);
  if (!r.section(z, "zero_optimization", modelled)) {
    r.set_default("training.overlap_grad_reduce", "false", z, "DeepSpeed's overlap_comm default is false");
    return;
  }
  int stage = 0;
  if (auto s = r.integer(z + "/stage")) {
    if (*s > 3) r.fail(z + "/stage", "ZeRO stage must be 0, 1, 2 or 3, found " + str(*s));
    stage = static_cast<int>(*s);
    r.set("parallel.zero_stage", str(stage), z + "/stage");
  }
  read_overlap(r, stage);
  read_offload_optimizer(r);
  read_offload_param(r);
  read_legacy_offload(r);
  for (const Bucket& b : kBuckets) read_bucket(r, b, stage);
  if (r.boolean(z + "/contiguous_gradients") == false)
    r.warn("zero_optimization.contiguous_gradients = false: trainsim counts the contiguous gradient buffer either way");
}

void read_aio(Reader& r) {
  const std::string s = "/aio";
  if (!r.section(
          s, "aio",
          {"block_size", "queue_depth", "intra_op_parallelism", "thread_count", "single_submit", "overlap_events"}))
    return;
  if (auto v = r.integer(s + "/block_size", 1)) r.set("offload.aio_block_size", str(*v) + "B", s + "/block_size");
  if (auto v = r.integer(s + "/queue_depth", 1)) r.set("offload.aio_queue_depth", str(*v), s + "/queue_depth");
  for (const char* k : {"/thread_count", "/intra_op_parallelism"})  // older and newer spelling
    if (auto v = r.integer(s + k, 1)) r.set("offload.aio_thread_count", str(*v), s + k);
  if (auto v = r.boolean(s + "/single_submit"))
    r.set("offload.aio_single_submit", *v ? "true" : "false", s + "/single_submit");
  if (auto v = r.boolean(s + "/overlap_events"))
    r.set("offload.aio_overlap_events", *v ? "true" : "false", s + "/overlap_events");
}

}  // namespace trainsim::ds
