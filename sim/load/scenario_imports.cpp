#include "sim/load/scenario_imports.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "sim/import/deepspeed/ds_config.hpp"
#include "sim/import/deepspeed/ds_patch.hpp"
#include "sim/import/deepspeed/hostfile.hpp"
#include "sim/import/hf/peft_config.hpp"
#include "sim/import/megatron/megatron_args.hpp"
#include "sim/import/torchtitan/titan_config.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/load/scenario_preview.hpp"

namespace trainsim {
namespace {

std::string describe(const SourceLocation& w) {
  std::string out = w.file;
  if (w.line > 0) out += ":" + std::to_string(w.line);
  if (!w.key.empty() && w.key != w.file) out += ": " + w.key;
  return out;
}

// Whether `value` for `key` means the same as what `d` holds (parsed with the key's type).
bool same_value(const ConfigDoc& d, const ImportedSetting& s) {
  ConfigDoc other = d;
  other.apply_import(s.key, s.value, s.where);
  switch (d.table().find(s.key)->type) {
    case ValueType::integer: return d.get_int(s.key) == other.get_int(s.key);
    case ValueType::number: return d.get_number(s.key) == other.get_number(s.key);
    case ValueType::boolean: return d.get_bool(s.key) == other.get_bool(s.key);
    case ValueType::quantity: {
      double a = d.get_quantity(s.key), b = other.get_quantity(s.key);
      return std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b));
    }
    default: return d.get_string(s.key) == other.get_string(s.key);
  }
}

bool from_command_line(const ConfigDoc& d, const std::string& key) { return d.where(key).file == "--set"; }

// "/zero_optimization/stage" -> "zero_optimization.stage"
std::string ds_key_name(const std::string& pointer) {
  std::string out = pointer.empty() || pointer.front() != '/' ? pointer : pointer.substr(1);
  std::replace(out.begin(), out.end(), '/', '.');
  return out;
}

// A --set override that wins over a ds_config setting (issue 18, defect 5), said.
void override_warning(const ConfigDoc& d, const ImportedSetting& s, ImportLog& log) {
  std::string at = s.where.file + (s.where.line > 0 ? ":" + std::to_string(s.where.line) : "");
  log.warnings.push_back("--set " + s.key + "=" + d.text_of(s.key) + " overrides " + ds_key_name(s.where.key) + " = " +
                         s.value + (s.note.empty() ? "" : " (" + s.note + ")") + " of " + at +
                         "; the command line wins, as DeepSpeed's, the HF Trainer's and torchtitan's arguments do");
}

// Applies an importer's explicit settings now; its tool defaults wait in
// `defaults` until every importer has spoken (apply_defaults). With
// `set_wins` (the ds_config), a --set value wins over a different one.
void merge(ConfigDoc& d, const ImportResult& r, ImportLog& log, std::vector<ImportedSetting>& defaults,
           bool set_wins = false) {
  for (const ImportedSetting& s : r.settings) {
    if (s.tool_default) {
      defaults.push_back(s);
    } else if (!d.given(s.key)) {
      d.apply_import(s.key, s.value, s.where);
      log.applied.push_back(s);
    } else if (same_value(d, s)) {
      log.applied.push_back(s);
    } else if (set_wins && from_command_line(d, s.key)) {
      override_warning(d, s, log);
    } else {
      throw ConfigError(d.where(s.key), "the scenario says " + d.text_of(s.key) + " but " + describe(s.where) +
                                            " says " + s.value + (s.note.empty() ? "" : " (" + s.note + ")") +
                                            "; make them agree or remove one");
    }
  }
  log.ignored.insert(log.ignored.end(), r.ignored.begin(), r.ignored.end());
  log.warnings.insert(log.warnings.end(), r.warnings.begin(), r.warnings.end());
  log.assumptions.insert(log.assumptions.end(), r.assumptions.begin(), r.assumptions.end());
}

// A tool default applies where nothing else set the key; otherwise it yields,
// with a warning when it differs.
void apply_defaults(ConfigDoc& d, const std::vector<ImportedSetting>& defaults, ImportLog& log) {
  for (const ImportedSetting& s : defaults) {
    if (!d.given(s.key)) {
      d.apply_import(s.key, s.value, s.where);
      log.applied.push_back(s);
    } else if (same_value(d, s)) {
      log.applied.push_back(s);
    } else {
      log.warnings.push_back(describe(d.where(s.key)) + " = " + d.text_of(s.key) + " is used, although " + s.note +
                             " (" + s.key + " = " + s.value + ")");
    }
  }
}

std::optional<ModelSpec> import_megatron(ConfigDoc& d, const Zoo& zoo, const std::string& args,
                                         const SourceLocation& where, ImportLog& log,
                                         std::vector<ImportedSetting>& defaults) {
  MegatronContext ctx;
  std::optional<ModelSpec> base;
  if (d.given("model")) {
    base = load_model(zoo.resolve(ZooKind::model, d.get_string("model"), d.file(), d.where("model")).string());
    ctx.base = &*base;
    ctx.base_where = d.where("model");
  }
  ctx.scenario_tp = static_cast<int>(d.get_int("parallel.tp"));
  ctx.scenario_pp = static_cast<int>(d.get_int("parallel.pp"));
  MegatronResult r = parse_megatron_args(args, where, ctx);
  merge(d, r, log, defaults);
  log.megatron_flags = true;
  if (r.model) log.model_from_megatron = true;
  return r.model;
}

// An imported file's path: the command-line option (relative to the working
// folder) wins over the scenario key (relative to the scenario's folder).
std::string import_path(const ConfigDoc& d, const std::string& option, const std::string& key) {
  if (!option.empty()) return option;
  if (!d.given(key)) return "";
  std::filesystem::path p(d.get_string(key));
  if (p.is_absolute() || d.where(key).file == "--set") return p.string();
  return (std::filesystem::path(d.file()).parent_path() / p).string();
}

std::string ds_config_path(const ConfigDoc& d, const ImportOptions& o) {
  return import_path(d, o.ds_config, "deepspeed_config");
}

// torchtitan's job TOML: the model first (its [model] names a zoo card), then
// the rest with the GPU count and the layers the scenario now has (shard
// degree -1, selective_ac_option N, pipeline stages). A --set wins over a
// TOML value with a warning, as torchtitan's own --section.key overrides do.
void import_torchtitan(ConfigDoc& d, const Zoo& zoo, const std::string& path,
                       const std::optional<ModelSpec>& flag_model, ImportLog& log,
                       std::vector<ImportedSetting>& defaults) {
  ImportResult model;
  model.settings.push_back(read_titan_model(path));
  merge(d, model, log, defaults);
  Scenario p = scenario_preview(d, zoo, flag_model);
  TitanContext ctx;
  ctx.gpus = p.gpus;
  ctx.layers = p.model.layers;
  for (const char* key : {"parallel.tp", "parallel.pp", "parallel.cp", "parallel.dp_replicate", "parallel.dp_shard"})
    if (d.given(key) && from_command_line(d, key)) ctx.overrides[key] = static_cast<int>(d.get_int(key));
  merge(d, read_titan_config(path, ctx), log, defaults, true);
}

// The resolved ds_config with the --set values of keys a ds_config can say
// written in (ds_patch.hpp), so that it describes the plan that runs.
std::string patched_ds_config(const ConfigDoc& d, const Zoo& zoo, const std::optional<ModelSpec>& flag_model,
                              const DsConfigResult& r) {
  std::map<std::string, std::string> pointers;
  for (const ImportedSetting& s : r.settings)
    if (!s.tool_default) pointers.emplace(s.key, s.where.key);
  std::vector<std::pair<std::string, std::string>> sets;
  for (const auto& [key, where] : d.locations())
    if (where.file == "--set" && (pointers.count(key) || ds_config_maps(key))) sets.emplace_back(key, d.text_of(key));
  if (sets.empty()) return r.resolved_json;
  Scenario p = scenario_preview(d, zoo, flag_model);
  DsBatch batch{d.get_int("training.global_batch"), d.get_int("training.micro_batch"), p.parallel.dp};
  return patch_ds_config(r.resolved_json, sets, batch, pointers).json;
}

void import_ds_config(ConfigDoc& d, const Zoo& zoo, const std::string& path, const std::optional<ModelSpec>& flag_model,
                      ImportLog& log, std::vector<ImportedSetting>& defaults) {
  Scenario p = scenario_preview(d, zoo, flag_model);
  DsContext ctx;
  ctx.gpus = p.gpus;
  ctx.tp = p.parallel.tp, ctx.pp = p.parallel.pp, ctx.cp = p.parallel.cp;
  if (d.given("parallel.dp")) ctx.dp = p.parallel.dp;
  ctx.hidden = p.model.hidden;
  ctx.micro_batch = static_cast<int>(d.get_int("training.micro_batch"));
  ctx.micro_batch_given = d.given("training.micro_batch");
  ctx.precision_given = d.given("training.precision");
  if (d.given("training.global_batch")) ctx.global_batch = static_cast<int>(d.get_int("training.global_batch"));
  ctx.precision = d.get_choice("training.precision");
  ctx.grad_clip = d.get_bool("training.grad_clip");
  DsConfigResult r = read_ds_config(path, ctx);
  merge(d, r, log, defaults, true);
  log.ds_config_file = path;
  for (const ImportedSetting& s : r.settings)
    if (std::find(log.ds_keys.begin(), log.ds_keys.end(), s.key) == log.ds_keys.end()) log.ds_keys.push_back(s.key);
  log.resolved_ds_config = patched_ds_config(d, zoo, flag_model, r);
}

// The global batch of one micro-batch per step: micro-batch x data-parallel size.
std::string one_micro_batch_per_step(const ConfigDoc& d, const Zoo& zoo, const std::optional<ModelSpec>& model) {
  Scenario p = scenario_preview(d, zoo, model);
  return std::to_string(d.get_int("training.micro_batch") * p.parallel.dp);
}

// Megatron-LM without --global-batch-size trains micro-batch x DP sequences per
// step (one micro-batch per step); applies when nothing else gives the batch.
void megatron_global_batch(ConfigDoc& d, const Zoo& zoo, const std::optional<ModelSpec>& model, ImportLog& log) {
  if (d.given("training.global_batch")) return;
  ImportedSetting s{"training.global_batch",
                    one_micro_batch_per_step(d, zoo, model),
                    {"(Megatron default)", 0, "--global-batch-size"},
                    true,
                    "Megatron-LM's default global batch: micro-batch x data-parallel size"};
  d.apply_import(s.key, s.value, s.where);
  log.applied.push_back(s);
}

// A command-line scenario that no source gives a batch: one micro-batch per
// step (no gradient accumulation), said as an assumption.
void command_line_global_batch(ConfigDoc& d, const Zoo& zoo, const std::optional<ModelSpec>& model, ImportLog& log) {
  if (d.given("training.global_batch")) return;
  const std::string batch = one_micro_batch_per_step(d, zoo, model);
  d.apply_import("training.global_batch", batch, {"(command line)", 0, "training.global_batch"});
  log.assumptions.push_back("training.global_batch not given: " + batch +
                            " = micro_batch x dp, one micro-batch per step without gradient accumulation "
                            "(give --set training.global_batch=B or a ds_config)");
}

}  // namespace

std::optional<ModelSpec> apply_imports(ConfigDoc& d, const Zoo& zoo, const ImportOptions& o, ImportLog& log) {
  std::vector<ImportedSetting> defaults;
  if (!o.hostfile.empty()) merge(d, read_hostfile(o.hostfile), log, defaults);
  if (o.num_nodes > 0 || o.num_gpus > 0) merge(d, launcher_size(o.num_nodes, o.num_gpus), log, defaults);
  std::optional<ModelSpec> model;
  if (d.given("megatron_args"))
    model = import_megatron(d, zoo, d.get_string("megatron_args"), d.where("megatron_args"), log, defaults);
  if (!o.megatron_args.empty()) {
    auto m = import_megatron(d, zoo, o.megatron_args, {"--megatron-args", 0, "--megatron-args"}, log, defaults);
    if (m) model = m;
  }
  std::string titan = import_path(d, o.torchtitan_config, "torchtitan_config");
  if (!titan.empty()) import_torchtitan(d, zoo, titan, model, log, defaults);
  std::string ds = ds_config_path(d, o);
  if (!ds.empty()) import_ds_config(d, zoo, ds, model, log, defaults);
  std::string peft = import_path(d, o.peft_config, "peft_config");
  if (!peft.empty()) merge(d, read_peft_config(peft), log, defaults);
  apply_defaults(d, defaults, log);
  if (d.given("megatron_args") || !o.megatron_args.empty()) megatron_global_batch(d, zoo, model, log);
  if (o.default_global_batch) command_line_global_batch(d, zoo, model, log);
  return model;
}

}  // namespace trainsim
