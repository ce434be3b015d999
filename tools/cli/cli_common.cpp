#include "cli_common.hpp"

#include <cstdio>
#include <fstream>

#include "sim/config/scenario_loader.hpp"

namespace trainsim::cli {

Zoo default_zoo() { return Zoo(default_data_dir(TRAINSIM_DEFAULT_DATA_DIR)); }

void add_scenario_options(CLI::App& cmd, ScenarioArgs& args) {
  cmd.add_option("scenario", args.scenario, "scenario YAML (DESIGN.md §3)")->required();
  cmd.add_option("--set", args.sets, "override a scenario key: --set parallel.tp=4 (repeatable)")
      ->take_all()
      ->allow_extra_args(false);
  cmd.add_flag("--json", args.json, "print one JSON document on stdout instead of the table");
  cmd.add_option("--out", args.out_dir, "write summary.json and summary.txt into this folder");
}

Scenario load_cli_scenario(const ScenarioArgs& args) {
  return load_scenario(args.scenario, args.sets, default_zoo());
}

OomExit oom_exit(double needed, const std::string& where, double hbm) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%.2f GiB needed on %s but the GPU has %.2f GiB", needed / kGiB, where.c_str(),
                hbm / kGiB);
  return OomExit(std::string(buf) + "; raise tp/pp, ZeRO stage or recompute, or lower training.micro_batch");
}

OomExit offload_oom_exit(double needed, const std::string& what, double capacity) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "%.2f GiB of %s needed per node but the node has %.2f GiB", needed / kGiB, what.c_str(),
                capacity / kGiB);
  return OomExit(std::string(buf) + "; offload less (offload.params / offload.optimizer), use more nodes, or a card with more");
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
