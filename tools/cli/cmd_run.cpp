// `trainsim run SCENARIO.yaml [--set k=v]... [--json] [--out DIR] [--trace FILE]
//  [--full] [--fail-on-oom] [--max-events N] [--timeout SECONDS] [--html FILE]`:
//  simulate one training step (docs/design.md §3). The guards are described in
//  docs/limits.md; the HTML report in docs/usage.md ("HTML reports").
#include <fstream>
#include <iostream>
#include <filesystem>
#include <memory>
#include <sstream>

#include <spdlog/spdlog.h>

#include "cli_common.hpp"
#include "sim/report/chrome_trace.hpp"
#include "sim/report/html_report.hpp"
#include "sim/report/step_report.hpp"
#include "sim/workload/step_sim.hpp"

namespace trainsim::cli {
namespace {

struct RunArgs {
  ScenarioArgs scenario;
  std::string trace;  // --trace FILE
  std::string html;   // --html FILE
  bool full = false;  // --full
  bool fail_on_oom = false;
  std::uint64_t max_events = StepOptions{}.max_events;  // --max-events
  double timeout_s = 0;                                 // --timeout, 0 = none
};

// Runs the step; a tripped guard becomes a usage error (exit 2) naming the flag to raise.
StepResult simulate_guarded(const Scenario& s, const StepOptions& o) {
  try {
    return simulate_step(s, o);
  } catch (const EventLimitExceeded&) {
    throw UsageError("the step needs more than --max-events=" + std::to_string(o.max_events) +
                     " engine events; raise --max-events (or simulate fewer micro-batches: training.global_batch)");
  } catch (const WallTimeExceeded&) {
    // The engine's own message has the measured time; this one stays the same run to run.
    std::ostringstream msg;
    msg << "the simulation ran past --timeout=" << o.timeout_s << " s of wall time; raise --timeout"
        << (o.full ? ", or drop --full" : "");
    throw UsageError(msg.str());
  }
}

void write_trace(const StepResult& r, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw UsageError("cannot write trace '" + path + "'");
  write_chrome_trace(r, out);
  if (!out) throw UsageError("cannot write trace '" + path + "'");
}

void write_text_file(const std::string& path, const std::string& text, const std::string& what) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw UsageError("cannot write " + what + " '" + path + "'");
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
  o.record_timeline = !args.scenario.out_dir.empty() || !args.trace.empty() || !args.html.empty();
  o.max_events = args.max_events;
  o.timeout_s = args.timeout_s;
  StepResult r = simulate_guarded(s, o);
  for (const auto& w : r.warnings) spdlog::warn("{}", w);
  std::string table = format_step_summary(r);
  nlohmann::json summary = step_summary_json(r);
  add_resolved_deepspeed(s, summary);
  std::string json = json_text(summary) + "\n";
  if (!args.scenario.out_dir.empty()) write_outputs(r, args.scenario.out_dir, table, json);
  if (!args.trace.empty()) write_trace(r, args.trace);
  if (!args.html.empty()) write_text_file(args.html, html_run_report(r, summary), "HTML report");
  std::cout << (args.scenario.json ? json : table);
  if (args.fail_on_oom && !r.verdict.gpu_fits)
    throw oom_exit(r.peak_memory_bytes.value(), "rank " + std::to_string(r.peak_rank), r.gpu_memory_bytes.value());
  if (args.fail_on_oom && !r.verdict.host_fits)
    throw offload_oom_exit(r.host_memory_peak_bytes_per_node.value(), "host memory",
                           r.host_memory_bytes_per_node.value());
  if (args.fail_on_oom && !r.verdict.nvme_fits)
    throw offload_oom_exit(r.nvme_peak_bytes_per_node.value(), "NVMe", r.nvme_capacity_bytes_per_node.value());
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd =
      app.add_subcommand("run", "simulate one training step: step time and breakdown, per-GPU peak memory, trace");
  add_scenario_options(*cmd, args->scenario);
  cmd->add_option("--trace", args->trace, "write the Chrome/Perfetto trace of the simulated GPUs to FILE");
  cmd->add_option("--html", args->html,
                  "write a self-contained HTML report (charts of the breakdown, memory, timeline) to FILE");
  cmd->add_flag("--full", args->full,
                "simulate every GPU instead of one per pipeline stage (same result, slower; a symmetry check)");
  cmd->add_flag("--fail-on-oom", args->fail_on_oom, "exit with status 1 when the plan does not fit in GPU memory");
  cmd->add_option("--max-events", args->max_events,
                  "most engine events the step may fire before it is stopped with exit 2 (default 1e10)")
      ->check(positive_number());
  cmd->add_option("--timeout", args->timeout_s,
                  "most wall-clock seconds the engine may run before the step is stopped with exit 2 (default: none)")
      ->check(positive_number());
  cmd->callback([args] { run_step_command(*args); });
}

}  // namespace trainsim::cli
