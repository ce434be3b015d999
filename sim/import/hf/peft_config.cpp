// HF PEFT adapter_config.json -> scenario keys (peft_config.hpp).
#include "sim/import/hf/peft_config.hpp"

#include "sim/config/json_read.hpp"
#include "sim/import/hf/hf_reader.hpp"
#include "sim/spec/input_file.hpp"

namespace trainsim {
namespace {

using hf::json;
using hf::Reader;

// target_modules as training.lora_targets' comma-separated names.
std::string targets_of(const Reader& r) {
  const json& v = r.value("target_modules");
  if (v.is_string()) {
    if (v.get<std::string>() == "all-linear") return "linear_qkv,linear_proj,linear_fc1,linear_fc2";
    r.fail("target_modules", "'" + v.get<std::string>() +
                                 "' is a regular expression (PEFT matches it against module names); trainsim reads "
                                 "a list of module names or \"all-linear\"");
  }
  if (!v.is_array() || v.empty())
    r.fail("target_modules", "expected a non-empty list of module names or \"all-linear\", found " + v.dump());
  std::string out;
  for (const json& name : v) {
    if (!name.is_string()) r.fail("target_modules", "expected module names (strings), found " + name.dump());
    out += (out.empty() ? "" : ",") + name.get<std::string>();
  }
  return out;
}

}  // namespace

ImportResult parse_peft_config(const std::string& text, const std::string& file) {
  JsonReadOptions opts;
  opts.what = "adapter_config.json";
  opts.duplicate_note = "; Python's json keeps the last one silently: give each key once";
  JsonText parsed = read_json(text, file, opts);
  if (!parsed.root.is_object()) throw ConfigError({file, 1, ""}, "an adapter_config.json must hold one JSON object");
  const Reader r(parsed.root, parsed.text, file);
  const std::string type = r.string("peft_type");
  if (type != "LORA")
    r.fail("peft_type", "'" + type + "' is not modelled; trainsim reads LoRA adapters (peft_type \"LORA\")");
  if (r.has("use_dora") && r.value("use_dora") == true)
    r.fail("use_dora", "DoRA (use_dora: true) adds a weight-norm pass per adapted layer that trainsim does not model");
  ImportResult out;
  out.settings.push_back({"training.peft", "lora", r.at("peft_type"), false, ""});
  const bool has_r = r.has("r");
  out.settings.push_back({"training.lora_rank", has_r ? std::to_string(r.positive_int("r")) : "8",
                          has_r ? r.at("r") : SourceLocation{file, 0, "r"}, !has_r, has_r ? "" : "LoraConfig default"});
  if (r.has("target_modules"))
    out.settings.push_back({"training.lora_targets", targets_of(r), r.at("target_modules"), false, ""});
  if (r.has("lora_dropout")) {
    static_cast<void>(r.number("lora_dropout", 0));  // a number, or a ConfigError at its line
    out.settings.push_back({"training.lora_dropout", r.value("lora_dropout").dump(), r.at("lora_dropout"), false, ""});
  }
  for (const auto& item : parsed.root.items()) {
    const std::string& k = item.key();
    if (k != "peft_type" && k != "r" && k != "target_modules" && k != "lora_dropout" && k != "use_dora")
      out.ignored.push_back(k + " (adapter_config.json; no effect on step time or memory)");
  }
  return out;
}

ImportResult read_peft_config(const std::string& path) {
  return parse_peft_config(read_input_file(path, "HF PEFT adapter_config.json file"), path);
}

}  // namespace trainsim
