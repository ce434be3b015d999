// Shared pieces of the trainsim command line. Each subcommand lives in its own
// cmd_*.cpp and registers itself with add_*_command(); the callbacks throw
// (ConfigError -> exit 2, OomExit -> exit 1, anything else -> exit 3) and
// main() turns that into a message on stderr and the exit status.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/frontend/resolved_json.hpp"
#include "sim/spec/scenario.hpp"
#include "hf_trainer_flags.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/load/zoo.hpp"

namespace trainsim::cli {

// Exit statuses (docs/design.md §3).
inline constexpr int kExitOk = 0;
inline constexpr int kExitOom = 1;  // valid plan that does not fit, with --fail-on-oom
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitInternal = 3;

// Thrown by a command whose plan does not fit when the user asked to fail on it.
class OomExit : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The OomExit of a plan needing `needed` bytes on `where` ("pipeline stage 3",
// "rank 17") of a GPU with `hbm` bytes, with what to change.
OomExit oom_exit(double needed, const std::string& where, double hbm);
// The same for a node's host memory or NVMe (offload): `what` is "host memory" or "NVMe".
OomExit offload_oom_exit(double needed, const std::string& what, double capacity);

// Thrown for bad command-line usage that CLI11 cannot see (e.g. a subcommand
// that needs one of two flags). Exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Flags that act before CLI11 parses the command line, found by a scan of argv:
// --json (errors become a JSON document on stdout too) and -q/--quiet (stderr
// carries errors only: no progress bars, no information, no warnings).
struct CommandLineFlags {
  bool json = false;
  bool quiet = false;
};
CommandLineFlags scan_flags(int argc, char** argv);
// True after scan_flags saw --quiet: commands skip their progress output.
bool quiet();

// The JSON document an error prints on stdout under --json (docs/usage.md
// "Errors"): {"error": {"kind", "message", "exit_status"}}; `kind` is
// bad_input or internal, `exit_status` the process's status (2 or 3). A plan
// that does not fit (exit 1) prints no error document: its summary, with
// "fits": false, is already the document on stdout.
nlohmann::json error_json(int exit_status, const std::string& kind, const std::string& message);
// JSON text of `j`, indented by `indent` (-1: compact). Invalid UTF-8 in a
// string (a file name or value the user gave) is written as U+FFFD instead of
// throwing nlohmann's type_error 316.
std::string json_text(const nlohmann::json& j, int indent = 2);

// A CLI11 check in our wording: the option's value is a number (`integer`: a
// whole number) from `lo` to `hi` ("--gpus: '0' is not a whole number from 1 to
// 262144"); CLI11's own range checks print bounds like 1.79769e+308.
CLI::Validator number_in(double lo, double hi, bool integer);
// A whole number >= 1, >= 0, and a number > 0 (no upper bound said).
CLI::Validator positive_integer();
CLI::Validator non_negative_integer();
CLI::Validator positive_number();

// The worker threads a --threads of `requested` (>= 1) runs on
// (worker_threads, plan_search.hpp); says on stderr when it clamps, naming
// `flag` and the count used.
int usable_threads(int requested, const char* flag);

// The data directory (models/, topologies/, scenarios/, data/reference/):
// $TRAINSIM_DATA, else beside this executable (PREFIX/share/trainsim of an
// install, or the source tree around its build folder), else the source tree
// it was built from (sim/load/data_dir.hpp). Throws ConfigError naming every
// place it looked when none holds the data.
std::filesystem::path data_dir();

// The zoo under data_dir().
Zoo default_zoo();

// Options every scenario-reading subcommand shares.
struct ScenarioArgs {
  std::string scenario;           // SCENARIO.yaml; empty: built from --model/--cluster
  std::string model;              // --model NAME|config.json (no SCENARIO)
  std::string cluster;            // --cluster NAME (no SCENARIO)
  int nodes = 0;                  // --nodes N (no SCENARIO; 0 = not given)
  int seq_len = 0;                // --seq-len L (no SCENARIO; 0 = not given)
  int gpus = 0;                   // --gpus G (no SCENARIO; 0 = not given)
  int nnodes = 0;                 // --nnodes N (torchrun's spelling of --num_nodes)
  int nproc_per_node = 0;         // --nproc-per-node G (torchrun's spelling of --num_gpus)
  std::vector<std::string> sets;  // --set key=value, in order
  std::vector<std::string> envs;  // --env NCCL_NAME=VALUE, applied after the --set overrides
  bool json = false;              // --json: one JSON document on stdout
  std::string out_dir;            // --out DIR
  ImportOptions imports;          // --ds-config, --megatron-args, --hostfile, --num_nodes, --num_gpus
  HfTrainerFlags hf;              // --bf16, --gradient_checkpointing, ... (hf_trainer_flags.hpp)
  std::string save_resolved;      // --save-resolved DIR
  std::string command;            // the subcommand's name, for messages
};

// Adds SCENARIO, --set, --json, --out, the importer options and --save-resolved
// to `cmd`, bound to `args`.
void add_scenario_options(CLI::App& cmd, ScenarioArgs& args);

// The scenario of `args` with `sets` (the --set overrides, plus any of the
// caller's) and the imports applied: SCENARIO, or without one the scenario the
// --model/--cluster/--nodes/--seq-len options describe (file "<command line>").
// Throws UsageError when neither is given, when SCENARIO is a ds_config or HF
// config.json (naming the command to use), or for conflicting launcher sizes.
Scenario load_args_scenario(const ScenarioArgs& args, const std::vector<std::string>& sets, const Zoo& zoo);

// Loads and validates the scenario with the --set overrides and imports applied;
// logs what was imported, ignored and warned about (stderr) and writes
// --save-resolved files.
Scenario load_cli_scenario(const ScenarioArgs& args);

// The --save-resolved files of `s` in `dir`: the scenario YAML with every key
// explicit, ds_config.json when one was read, model.yaml for a Megatron-flag model.
void write_resolved(const Scenario& s, const std::string& dir);

// Logs what the loader imported, ignored, assumed and warned about (stderr).
void log_scenario_imports(const ImportLog& log);

// Writes `text` to DIR/name, creating DIR. Throws std::runtime_error on failure.
void write_output_file(const std::string& dir, const std::string& name, const std::string& text);

// Subcommand registration (one per cmd_*.cpp).
void add_run_command(CLI::App& app);
void add_mem_command(CLI::App& app);
void add_explain_command(CLI::App& app);
void add_explain_moe_command(CLI::App& explain);  // cmd_explain_moe.cpp
void add_help_command(CLI::App& app);
void add_collective_command(CLI::App& app);
void add_validate_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_advise_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_info_command(CLI::App& app);

}  // namespace trainsim::cli
