// `trainsim run SCENARIO.yaml [--set k=v]... [--json] [--out DIR] [--trace FILE]
//  [--full] [--fail-on-oom]`: simulate one training step (DESIGN.md §3).
#include <fstream>
#include <iostream>
#include <filesystem>
#include <memory>
#include <sstream>

#include <spdlog/spdlog.h>

#include "cli_common.hpp"
#include "sim/report/chrome_trace.hpp"
#include "sim/report/step_report.hpp"
#include "sim/workload/step_sim.hpp"

namespace trainsim::cli {
namespace {

struct RunArgs {
  ScenarioArgs scenario;
  std::string trace;       // --trace FILE
  bool full = false;       // --full
  bool fail_on_oom = false;
};

void write_trace(const StepResult& r, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw UsageError("cannot write trace '" + path + "'");
  write_chrome_trace(r, out);
  if (!out) throw UsageError("cannot write trace '" + path + "'");
}

void write_outputs(const StepResult& r, const std::string& dir, const std::string& table, const std::string& json) {
  write_output_file(dir, "summary.json", json);
  write_output_file(dir, "summary.txt", table);
  std::ostringstream csv;
  write_per_gpu_csv(r, csv);
  write_output_file(dir, "per_gpu.csv", csv.str());
  write_trace(r, (std::filesystem::path(dir) / "trace.json").string());
}

void run_step_command(const RunArgs& args) {
  Scenario s = load_cli_scenario(args.scenario);
  StepOptions o;
  o.full = args.full;
  o.record_timeline = !args.scenario.out_dir.empty() || !args.trace.empty();
  StepResult r = simulate_step(s, o);
  for (const auto& w : r.warnings) spdlog::warn("{}", w);
  std::string table = format_step_summary(r);
  nlohmann::json summary = step_summary_json(r);
  add_resolved_deepspeed(s, summary);
  std::string json = summary.dump(2) + "\n";
  if (!args.scenario.out_dir.empty()) write_outputs(r, args.scenario.out_dir, table, json);
  if (!args.trace.empty()) write_trace(r, args.trace);
  std::cout << (args.scenario.json ? json : table);
  if (args.fail_on_oom && !r.fits)
    throw oom_exit(r.peak_memory_bytes, "rank " + std::to_string(r.peak_rank), r.gpu_memory_bytes);
  if (args.fail_on_oom && !r.host_memory_fits)
    throw offload_oom_exit(r.host_memory_peak_bytes_per_node, "host memory", r.host_memory_bytes_per_node);
  if (args.fail_on_oom && !r.nvme_fits)
    throw offload_oom_exit(r.nvme_peak_bytes_per_node, "NVMe", r.nvme_capacity_bytes_per_node);
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "simulate one training step: step time and breakdown, per-GPU peak memory, trace");
  add_scenario_options(*cmd, args->scenario);
  cmd->add_option("--trace", args->trace, "write the Chrome/Perfetto trace of the simulated GPUs to FILE");
  cmd->add_flag("--full", args->full,
                "simulate every GPU instead of one per pipeline stage (same result, slower; a symmetry check)");
  cmd->add_flag("--fail-on-oom", args->fail_on_oom, "exit with status 1 when the plan does not fit in GPU memory");
  cmd->callback([args] { run_step_command(*args); });
}

}  // namespace trainsim::cli
