#include "cli_common.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <spdlog/spdlog.h>

#include "sim/load/data_dir.hpp"
#include "sim/load/resolved_writer.hpp"
#include "sim/load/scenario_loader.hpp"

namespace trainsim::cli {

std::filesystem::path data_dir() {
  const char* env = std::getenv(kDataDirEnv);
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);  // Linux; "" elsewhere
  return find_data_dir(env ? env : "", ec ? std::filesystem::path() : exe, TRAINSIM_DEFAULT_DATA_DIR);
}

Zoo default_zoo() { return Zoo(data_dir()); }

void add_scenario_options(CLI::App& cmd, ScenarioArgs& args) {
  cmd.add_option("scenario", args.scenario, "scenario YAML (docs/design.md §3)")->required();
  cmd.add_option("--set", args.sets, "override a scenario key: --set parallel.tp=4 (repeatable)")
      ->take_all()
      ->allow_extra_args(false);
  cmd.add_flag("--json", args.json, "print one JSON document on stdout instead of the table");
  cmd.add_option("--out", args.out_dir, "write summary.json and summary.txt into this folder");
  cmd.add_option("--ds-config", args.imports.ds_config,
                 "DeepSpeed ds_config.json, read as DeepSpeed reads it (replaces the scenario's deepspeed_config)");
  cmd.add_option("--megatron-args", args.imports.megatron_args,
                 "Megatron-LM flags in one string, e.g. \"--tensor-model-parallel-size 8 --sequence-parallel\"");
  auto* hostfile = cmd.add_option("--hostfile", args.imports.hostfile,
                                  "DeepSpeed hostfile ('worker-0 slots=8' per line): sets nodes and gpus");
  cmd.add_option("--num_nodes", args.imports.num_nodes, "nodes, as DeepSpeed's launcher spells it")
      ->check(CLI::PositiveNumber)
      ->excludes(hostfile);
  cmd.add_option("--num_gpus", args.imports.num_gpus, "GPUs per node, as DeepSpeed's launcher spells it")
      ->check(CLI::PositiveNumber)
      ->excludes(hostfile);
  cmd.add_option("--save-resolved", args.save_resolved,
                 "write the fully resolved scenario YAML (and ds_config.json, model card) into this folder");
}

namespace {

std::string where_text(const SourceLocation& w) {
  std::string out = w.file;
  if (w.line > 0) out += ":" + std::to_string(w.line);
  if (!w.key.empty() && w.key != w.file) out += ": " + w.key;
  return out;
}

void log_imports(const ImportLog& log) {
  for (const ImportedSetting& s : log.applied) {
    if (s.tool_default)
      spdlog::info("{} = {} (default: {}; {} not set)", s.key, s.value, s.note, where_text(s.where));
    else
      spdlog::info("{} = {} (from {}{}{})", s.key, s.value, where_text(s.where), s.note.empty() ? "" : "; ", s.note);
  }
  for (const std::string& i : log.ignored) spdlog::info("ignored: {}", i);
  for (const std::string& w : log.warnings) spdlog::warn("{}", w);
}

void save_resolved(const Scenario& s, const std::string& dir) {
  const std::string name = std::filesystem::path(s.file).filename().string();
  write_output_file(dir, name.empty() ? "scenario.yaml" : name,
                    resolved_scenario_yaml(s, "ds_config.json", "model.yaml"));
  if (!s.imports.ds_config_file.empty()) write_output_file(dir, "ds_config.json", s.imports.resolved_ds_config);
  if (s.imports.model_from_megatron) write_output_file(dir, "model.yaml", model_card_yaml(s.model));
  spdlog::info("resolved scenario written to {}", (std::filesystem::path(dir) / name).string());
}

}  // namespace

Scenario load_cli_scenario(const ScenarioArgs& args) {
  Scenario s = load_scenario(args.scenario, args.sets, default_zoo(), args.imports);
  log_imports(s.imports);
  if (!args.save_resolved.empty()) save_resolved(s, args.save_resolved);
  return s;
}

void add_resolved_deepspeed(const Scenario& s, nlohmann::json& summary) {
  if (s.imports.ds_config_file.empty()) return;
  nlohmann::json keys = nlohmann::json::object();
  for (const std::string& k : s.imports.ds_keys) keys[k] = s.resolved_texts.at(k);
  summary["resolved_deepspeed"] = {{"ds_config", nlohmann::json::parse(s.imports.resolved_ds_config)},
                                   {"scenario_keys", keys}};
}

OomExit oom_exit(double needed, const std::string& where, double hbm) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%.2f GiB needed on %s but the GPU has %.2f GiB", needed / kGiB, where.c_str(),
                hbm / kGiB);
  return OomExit(std::string(buf) + "; raise tp/pp, ZeRO stage or recompute, or lower training.micro_batch");
}

OomExit offload_oom_exit(double needed, const std::string& what, double capacity) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "%.2f GiB of %s needed per node but the node has %.2f GiB", needed / kGiB,
                what.c_str(), capacity / kGiB);
  return OomExit(std::string(buf) +
                 "; offload less (offload.params / offload.optimizer), use more nodes, or a card with more");
}

void write_output_file(const std::string& dir, const std::string& name, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UsageError("cannot create output folder '" + dir + "': " + ec.message());
  std::filesystem::path path = std::filesystem::path(dir) / name;
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw UsageError("cannot write '" + path.string() + "'");
}

}  // namespace trainsim::cli
