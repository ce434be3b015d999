#include "sim/import/deepspeed/ds_patch.hpp"

#include <nlohmann/json.hpp>

#include "sim/core/error.hpp"
#include "sim/config/json_read.hpp"
#include "sim/import/deepspeed/ds_reader.hpp"

namespace trainsim {
namespace {

using json = nlohmann::ordered_json;  // keeps the user's key order
using Setting = std::pair<std::string, std::string>;

// A --set value as JSON: booleans, whole numbers, other numbers (a trailing
// byte unit "B" dropped, as DeepSpeed counts bytes), else the string.
json json_value(const std::string& v) {
  if (v == "true" || v == "false") return v == "true";
  std::string n = !v.empty() && v.back() == 'B' ? v.substr(0, v.size() - 1) : v;
  try {
    std::size_t used = 0;
    double d = std::stod(n, &used);
    if (used == n.size() && !n.empty()) {
      if (d == static_cast<double>(static_cast<long long>(d)) && n.find_first_of(".eE") == std::string::npos)
        return static_cast<long long>(d);
      return d;
    }
  } catch (const std::exception&) {
  }
  return v;
}

class Patcher {
 public:
  Patcher(json root, json original, const DsBatch& batch, const std::map<std::string, std::string>& pointers,
          bool keep_auto = false)
      : root_(std::move(root)),
        original_(std::move(original)),
        batch_(batch),
        pointers_(pointers),
        keep_auto_(keep_auto) {}

  void apply(const Setting& s) {
    const auto& [key, value] = s;
    if (key == "parallel.zero_stage") return set("/zero_optimization/stage", json_value(value));
    if (key == "offload.optimizer") return set("/zero_optimization/offload_optimizer/device", value);
    if (key == "offload.params") return set("/zero_optimization/offload_param/device", value);
    if (key == "training.overlap_grad_reduce") return set("/zero_optimization/overlap_comm", value == "true");
    if (key == "training.grad_clip") return set("/gradient_clipping", value == "true" ? 1.0 : 0.0);
    if (key == "training.micro_batch" || key == "training.global_batch") return batch_keys(key);
    if (key == "training.precision") return precision(value);
    if (key == "training.recompute") {
      edits_.push_back(value == "none"   ? "disable gradient checkpointing in the model"
                       : value == "full" ? "enable gradient checkpointing in the model"
                                         : "training.recompute: " + value + " (scenario key)");
      return scenario_keys_.push_back(key);
    }
    auto p = pointers_.find(key);
    if (p != pointers_.end() && p->second.size() > 1 && p->second.front() == '/')
      return set(p->second, json_value(value));
    edits_.push_back(key + ": " + value + " (scenario key)");
    scenario_keys_.push_back(key);
  }

  DsPatch result() const { return {root_.dump(2) + "\n", edits_, scenario_keys_}; }

 private:
  // Patching the user's own file, an "auto" stays "auto": the HF Trainer fills it from the arguments the edit names.
  void put(const std::string& pointer, const json& v) {
    if (keep_auto_ && is_auto(pointer)) return;
    root_[json::json_pointer(pointer)] = v;
  }
  void set(const std::string& pointer, const json& v) {
    put(pointer, v);
    std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    edits_.push_back(pointer == "/gradient_clipping" && is_auto(pointer) ? "--max_grad_norm " + text + kAutoNote
                                                                         : ds::dotted(pointer) + ": " + text);
  }

  // "auto" in the user's file: the HF Trainer fills it from its arguments, so the edit is an argument.
  static constexpr const char* kAutoNote = " (HF Trainer argument: the ds_config says auto)";
  bool is_auto(const std::string& pointer) const {
    json::json_pointer p(pointer);
    return original_.is_object() && original_.contains(p) && original_.at(p) == "auto";
  }

  // DeepSpeed's rule (deepspeed/runtime/config.py _set_batch_related_parameters):
  // train_batch_size = micro x gradient_accumulation_steps x world_size.
  void batch_keys(const std::string& key) {
    if (batch_done_) return;  // micro-batch and global batch give one edit
    batch_done_ = true;
    const long long accum = batch_.global_batch / std::max(1LL, batch_.micro_batch * batch_.dp);
    put("/train_micro_batch_size_per_gpu", batch_.micro_batch);
    put("/gradient_accumulation_steps", accum);
    if (root_.contains("train_batch_size") || key == "training.global_batch")
      put("/train_batch_size", batch_.global_batch);
    std::string e = "train_micro_batch_size_per_gpu: " + std::to_string(batch_.micro_batch) +
                    " with gradient_accumulation_steps: " + std::to_string(accum);
    if (is_auto("/train_micro_batch_size_per_gpu"))
      e = "--per_device_train_batch_size " + std::to_string(batch_.micro_batch) + " --gradient_accumulation_steps " +
          std::to_string(accum) + " (HF Trainer arguments: the ds_config says auto)";
    if (key == "training.global_batch") e = "train_batch_size: " + std::to_string(batch_.global_batch) + ", " + e;
    edits_.push_back(e);
  }

  // fp16 / bf16 sections: the chosen one enabled, the other disabled where present.
  void precision(const std::string& p) {
    const std::string bf = root_.contains("bfloat16") && !root_.contains("bf16") ? "bfloat16" : "bf16";
    std::string e;
    for (const std::string& section : {std::string("fp16"), bf}) {
      const bool on = (section == "fp16") == (p == "fp16") && p != "fp32" && p != "fp8";
      if (!on && !root_.contains(section)) continue;
      put("/" + section + "/enabled", on);
      e += (e.empty() ? "" : ", ") + section + ".enabled: " + (on ? "true" : "false");
    }
    if (is_auto("/fp16/enabled") || is_auto("/" + bf + "/enabled"))
      e = (p == "fp16" || p == "bf16" ? "--" + p : "neither --fp16 nor --bf16") + kAutoNote;
    edits_.push_back(e.empty() ? "training.precision: " + p + " (scenario key)" : e);
  }

  json root_, original_;
  DsBatch batch_;
  const std::map<std::string, std::string>& pointers_;
  std::vector<std::string> edits_, scenario_keys_;
  bool batch_done_ = false;
  bool keep_auto_ = false;
};

}  // namespace

bool ds_config_maps(const std::string& k) {
  for (const char* m : {"parallel.zero_stage", "offload.optimizer", "offload.params", "training.overlap_grad_reduce",
                        "training.grad_clip", "training.micro_batch", "training.global_batch", "training.precision"})
    if (k == m) return true;
  return false;
}

DsPatch patch_ds_config(const std::string& json_text, const std::vector<Setting>& settings, const DsBatch& batch,
                        const std::map<std::string, std::string>& pointers, const std::string& original) {
  json root = json::parse(json_text, nullptr, false);
  if (!root.is_object()) throw ConfigError({"ds_config", 0, ""}, "a ds_config.json must hold one JSON object {...}");
  Patcher p(std::move(root), json::parse(blank_hjson_extras(original), nullptr, false), batch, pointers);
  for (const Setting& s : settings) p.apply(s);
  return p.result();
}

DsPatch patch_user_ds_config(const std::string& original, const std::vector<Setting>& settings, const DsBatch& batch,
                             const std::map<std::string, std::string>& pointers) {
  // hjson comments and trailing commas, which DeepSpeed accepts, are dropped.
  json root = json::parse(blank_hjson_extras(original), nullptr, false);
  if (!root.is_object()) throw ConfigError({"ds_config", 0, ""}, "a ds_config.json must hold one JSON object {...}");
  Patcher p(root, root, batch, pointers, true);
  for (const Setting& s : settings) p.apply(s);
  return p.result();
}

}  // namespace trainsim
