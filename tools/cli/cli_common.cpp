#include "cli_common.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdlib>
#include <fstream>

#include <spdlog/spdlog.h>

#include "sim/core/format.hpp"
#include "sim/spec/input_file.hpp"
#include "sim/load/data_dir.hpp"
#include "sim/load/resolved_writer.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/search/plan_search.hpp"
#include "sim/spec/limits.hpp"

namespace trainsim::cli {

std::string json_text(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {
bool quiet_flag = false;
}  // namespace

CommandLineFlags scan_flags(int argc, char** argv) {
  CommandLineFlags f;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--") break;
    if (a == "--json" || a.starts_with("--json=")) f.json = true;
    if (a == "--quiet" || a == "-q") f.quiet = true;
  }
  quiet_flag = f.quiet;
  return f;
}

bool quiet() { return quiet_flag; }

nlohmann::json error_json(int exit_status, const std::string& kind, const std::string& message) {
  return {{"error", {{"kind", kind}, {"message", message}, {"exit_status", exit_status}}}};
}

namespace {

std::string bound(double v) { return general(v, 15); }

}  // namespace

CLI::Validator number_in(double lo, double hi, bool integer) {
  const bool open_top = !(hi < std::numeric_limits<double>::max());
  const bool open_bottom = lo > 0 && !integer && lo < 1e-300;  // "> 0"
  std::string range = open_bottom ? "> 0" : open_top ? ">= " + bound(lo) : "from " + bound(lo) + " to " + bound(hi);
  std::string what = std::string(integer ? "a whole number " : "a number ") + range;
  return CLI::Validator(
      [lo, hi, integer, what](std::string& text) -> std::string {
        try {
          std::size_t used = 0;
          const double v = std::stod(text, &used);
          if (used == text.size() && std::isfinite(v) && v >= lo && v <= hi && (!integer || v == std::floor(v)))
            return "";
        } catch (const std::exception&) {
        }
        return "'" + text + "' is not " + what;
      },
      integer ? "INT" : "NUMBER");
}

CLI::Validator positive_integer() { return number_in(1, kMaxIntegerKey, true); }
CLI::Validator non_negative_integer() { return number_in(0, kMaxIntegerKey, true); }
CLI::Validator positive_number() {
  return number_in(std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::max(), false);
}

int usable_threads(int requested, const char* flag) {
  const int n = worker_threads(requested);
  if (requested > n)
    spdlog::warn("{} {}: clamped to {}, the threads this machine runs at once (the results do not depend on it)", flag,
                 requested, n);
  return n;
}

std::filesystem::path data_dir() {
  const char* env = std::getenv(kDataDirEnv);
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);  // Linux; "" elsewhere
  return find_data_dir(env ? env : "", ec ? std::filesystem::path() : exe, TRAINSIM_DEFAULT_DATA_DIR);
}

Zoo default_zoo() { return Zoo(data_dir()); }

namespace {

// --env NAME=VALUE: an NCCL environment variable as the scenario key it sets
// (docs/usage.md "NCCL environment").
std::string nccl_env_set(const std::string& assignment) {
  const size_t eq = assignment.find('=');
  const std::string name = assignment.substr(0, eq);
  if (eq == std::string::npos || eq == 0)
    throw UsageError("--env takes NAME=VALUE, e.g. --env NCCL_IB_DISABLE=1; got '" + assignment + "'");
  std::string value = assignment.substr(eq + 1);
  if (name == "NCCL_ALGO") {
    std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
    return "network.algorithm=" + value;
  }
  if (name == "NCCL_PROTO") return "network.protocol=" + value;
  for (const char* known : {"NCCL_IB_DISABLE", "NCCL_NET", "NCCL_SOCKET_NTHREADS", "NCCL_NSOCKS_PERTHREAD"})
    if (name == known) return "network.nccl_env." + name + "=" + value;
  throw UsageError("--env " + name +
                   ": not an NCCL variable trainsim models; valid: NCCL_IB_DISABLE, NCCL_NET, NCCL_SOCKET_NTHREADS, "
                   "NCCL_NSOCKS_PERTHREAD, NCCL_ALGO, NCCL_PROTO");
}

}  // namespace

void add_scenario_options(CLI::App& cmd, ScenarioArgs& args) {
  args.command = cmd.get_name();
  cmd.add_option("scenario", args.scenario, "scenario YAML (docs/design.md §3); or --model and --cluster");
  cmd.add_option("--model", args.model, "without SCENARIO: the model (zoo name, model card or HF config.json)");
  cmd.add_option("--cluster", args.cluster, "without SCENARIO: the cluster (zoo name or card)");
  cmd.add_option("--nodes", args.nodes, "without SCENARIO: nodes (default: the key table's)")
      ->check(positive_integer());
  cmd.add_option("--seq-len", args.seq_len, "without SCENARIO: training.seq_len")->check(positive_integer());
  cmd.add_option("--gpus", args.gpus, "without SCENARIO: GPUs used (default: nodes x GPUs per node)")
      ->check(positive_integer());
  cmd.add_option("--set", args.sets, "override a scenario key: --set parallel.tp=4 (repeatable)")
      ->take_all()
      ->allow_extra_args(false);
  cmd.add_option(
         "--env", args.envs,
         "an NCCL environment variable the run would see: --env NCCL_IB_DISABLE=1 (repeatable; NCCL_IB_DISABLE, "
         "NCCL_NET, NCCL_SOCKET_NTHREADS, NCCL_NSOCKS_PERTHREAD, NCCL_ALGO, NCCL_PROTO)")
      ->take_all()
      ->allow_extra_args(false);
  cmd.add_flag("--json", args.json, "print one JSON document on stdout instead of the table");
  cmd.add_option("--out", args.out_dir, "write summary.json and summary.txt into this folder");
  cmd.add_option("--ds-config", args.imports.ds_config,
                 "DeepSpeed ds_config.json, read as DeepSpeed reads it (replaces the scenario's deepspeed_config)");
  cmd.add_option("--torchtitan-config", args.imports.torchtitan_config,
                 "torchtitan job TOML (train_configs/*.toml), read as torchtitan reads it (replaces the scenario's "
                 "torchtitan_config)");
  cmd.add_option("--peft-config", args.imports.peft_config,
                 "HF PEFT adapter_config.json (LoRA r, target_modules, lora_dropout; replaces the scenario's "
                 "peft_config)");
  cmd.add_option("--megatron-args", args.imports.megatron_args,
                 "Megatron-LM flags in one string, e.g. \"--tensor-model-parallel-size 8 --sequence-parallel\"");
  auto* hostfile = cmd.add_option("--hostfile", args.imports.hostfile,
                                  "DeepSpeed hostfile ('worker-0 slots=8' per line): sets nodes and gpus");
  cmd.add_option("--num_nodes", args.imports.num_nodes, "nodes, as DeepSpeed's launcher spells it")
      ->check(positive_integer())
      ->excludes(hostfile);
  cmd.add_option("--num_gpus", args.imports.num_gpus, "GPUs per node, as DeepSpeed's launcher spells it")
      ->check(positive_integer())
      ->excludes(hostfile);
  cmd.add_option("--nnodes", args.nnodes, "nodes, as torchrun spells it (= --num_nodes)")
      ->check(positive_integer())
      ->excludes(hostfile);
  cmd.add_option("--nproc-per-node", args.nproc_per_node, "GPUs per node, as torchrun spells it (= --num_gpus)")
      ->check(positive_integer())
      ->excludes(hostfile);
  cmd.add_option("--save-resolved", args.save_resolved,
                 "write the fully resolved scenario YAML (and ds_config.json, model card) into this folder");
  add_hf_trainer_options(cmd, args.hf, args.imports.ds_config);
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
  for (const std::string& a : log.assumptions) spdlog::info("assumed: {}", a);
  for (const std::string& w : log.warnings) spdlog::warn("{}", w);
}

constexpr const char* kCommandLine = "<command line>";

void save_resolved(const Scenario& s, const std::string& dir) {
  std::string name = std::filesystem::path(s.file).filename().string();
  if (s.file == kCommandLine) name = "scenario.yaml";
  write_output_file(dir, name.empty() ? "scenario.yaml" : name,
                    resolved_scenario_yaml(s, "ds_config.json", "model.yaml"));
  if (!s.imports.ds_config_file.empty()) write_output_file(dir, "ds_config.json", s.imports.resolved_ds_config);
  if (s.imports.model_from_megatron) write_output_file(dir, "model.yaml", model_card_yaml(s.model));
  spdlog::info("resolved scenario written to {}", (std::filesystem::path(dir) / name).string());
}

}  // namespace

void write_resolved(const Scenario& s, const std::string& dir) { save_resolved(s, dir); }

void log_scenario_imports(const ImportLog& log) { log_imports(log); }

namespace {

// One launcher size given in DeepSpeed's and/or torchrun's spelling.
void merge_size(int& deepspeed, int torchrun, const std::string& ds_flag, const std::string& torch_flag) {
  if (torchrun == 0) return;
  if (deepspeed != 0 && deepspeed != torchrun)
    throw UsageError(ds_flag + "=" + std::to_string(deepspeed) + " and " + torch_flag + "=" + std::to_string(torchrun) +
                     " disagree; they are the same setting (DeepSpeed's and torchrun's spelling): give one");
  deepspeed = torchrun;
}

ImportOptions merged_imports(const ScenarioArgs& a) {
  ImportOptions o = a.imports;
  merge_size(o.num_nodes, a.nnodes, "--num_nodes", "--nnodes");
  merge_size(o.num_gpus, a.nproc_per_node, "--num_gpus", "--nproc-per-node");
  return o;
}

std::string yaml_scalar(const std::string& v) {
  return json_text(nlohmann::json(v), -1);
}  // a YAML double-quoted scalar

// The command to use for a JSON file given where a scenario YAML is expected.
void reject_json_scenario(const ScenarioArgs& a) {
  // A directory, FIFO or device is refused here, before anything reads it.
  nlohmann::json j = nlohmann::json::parse(read_input_file(a.scenario, "scenario file"), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return;
  const std::string cluster = a.cluster.empty() ? "CLUSTER" : a.cluster;
  const std::string nodes = a.nodes > 0 ? std::to_string(a.nodes) : "N";
  const std::string head = "trainsim " + a.command + " ";
  if (j.contains("zero_optimization") || j.contains("train_batch_size") || j.contains("train_micro_batch_size_per_gpu"))
    throw UsageError(a.scenario + " is a DeepSpeed ds_config, not a scenario YAML; use: " + head + "--model " +
                     (a.model.empty() ? "MODEL" : a.model) + " --cluster " + cluster + " --nodes " + nodes +
                     " --ds-config " + a.scenario);
  if (j.contains("model_type") || j.contains("architectures") || j.contains("hidden_size"))
    throw UsageError(a.scenario + " is a Hugging Face config.json, not a scenario YAML; use: " + head + "--model " +
                     a.scenario + " --cluster " + cluster + " --nodes " + nodes);
}

// The scenario YAML that --model/--cluster/--nodes/--seq-len describe.
std::string command_line_yaml(const ScenarioArgs& a) {
  std::string model = a.model;
  std::error_code ec;
  if (std::filesystem::is_regular_file(model, ec)) model = std::filesystem::absolute(model, ec).string();
  std::string yaml = model.empty() ? "" : "model: " + yaml_scalar(model) + "\n";  // empty: the torchtitan TOML's
  yaml += "cluster: " + yaml_scalar(a.cluster) + "\n";
  if (a.nodes > 0) yaml += "nodes: " + std::to_string(a.nodes) + "\n";
  if (a.gpus > 0) yaml += "gpus: " + std::to_string(a.gpus) + "\n";
  if (a.seq_len > 0) yaml += "training:\n  seq_len: " + std::to_string(a.seq_len) + "\n";
  return yaml;
}

}  // namespace

std::vector<std::string> with_hf_trainer_flags(const HfTrainerFlags& hf, const std::vector<std::string>& sets) {
  std::vector<std::string> out;
  for (const auto& [set, flag] : hf_trainer_sets(hf)) out.push_back(set);
  out.insert(out.end(), sets.begin(), sets.end());  // an explicit --set comes last and wins
  return out;
}

Scenario load_args_scenario(const ScenarioArgs& args, const std::vector<std::string>& given_sets, const Zoo& zoo) {
  ImportOptions imports = merged_imports(args);
  std::vector<std::string> sets = with_hf_trainer_flags(args.hf, given_sets);
  for (const std::string& e : args.envs) sets.push_back(nccl_env_set(e));
  const bool built =
      !args.model.empty() || !args.cluster.empty() || args.nodes > 0 || args.gpus > 0 || args.seq_len > 0;
  if (!args.scenario.empty()) {
    if (args.scenario.size() > 5 && args.scenario.ends_with(".json")) reject_json_scenario(args);
    if (args.scenario.ends_with(".toml"))
      throw UsageError(args.scenario +
                       " is a TOML file (a torchtitan job config?), not a scenario YAML; use: trainsim " +
                       args.command + " --cluster " + (args.cluster.empty() ? "CLUSTER" : args.cluster) +
                       " --nodes N --torchtitan-config " + args.scenario);
    if (built)
      throw UsageError("--model/--cluster/--nodes/--gpus/--seq-len describe a scenario without SCENARIO; with " +
                       args.scenario + " use --set (e.g. --set model=NAME)");
    return load_scenario(args.scenario, sets, zoo, imports);
  }
  if ((args.model.empty() && args.imports.torchtitan_config.empty()) || args.cluster.empty())
    throw UsageError(
        "no scenario: give SCENARIO.yaml, or --model NAME|config.json --cluster NAME [--nodes N] [--gpus G] "
        "[--ds-config F] [--seq-len L] (trainsim " +
        args.command + " --help)");
  imports.default_global_batch = true;  // said as assumed when nothing gives the batch
  return load_scenario_string(command_line_yaml(args), kCommandLine, sets, zoo, imports);
}

Scenario load_cli_scenario(const ScenarioArgs& args) {
  Scenario s = load_args_scenario(args, args.sets, default_zoo());
  for (const auto& [set, flag] : hf_trainer_sets(args.hf)) spdlog::info("{} (from {})", set, flag);
  log_imports(s.imports);
  if (!args.save_resolved.empty()) save_resolved(s, args.save_resolved);
  return s;
}

OomExit oom_exit(double needed, const std::string& where, double hbm) {
  return OomExit(fixed(needed / kGiB, 2) + " GiB needed on " + where + " but the GPU has " + fixed(hbm / kGiB, 2) +
                 " GiB; raise tp/pp, ZeRO stage or recompute, or lower training.micro_batch");
}

OomExit offload_oom_exit(double needed, const std::string& what, double capacity) {
  return OomExit(fixed(needed / kGiB, 2) + " GiB of " + what + " needed per node but the node has " +
                 fixed(capacity / kGiB, 2) +
                 " GiB; offload less (offload.params / offload.optimizer), use more nodes, or a card with more");
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
