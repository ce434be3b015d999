// `trainsim mem SCENARIO.yaml [--set k=v]... [--json] [--out DIR] [--fail-on-oom]`:
// the analytic per-GPU memory of a scenario, per pipeline stage.
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/report/memory_report.hpp"

namespace trainsim::cli {
namespace {

struct MemArgs {
  ScenarioArgs scenario;
  bool fail_on_oom = false;
};

void run_mem(const MemArgs& args) {
  ScenarioArgs scenario = args.scenario;
  scenario.imports.memory_only = true;  // MoE models: the memory model counts them (model_check.hpp memory_refusal)
  Scenario s = load_cli_scenario(scenario);
  MemoryResult r = compute_memory(s);
  std::string table = memory_table(s, r);
  nlohmann::json summary = memory_json(s, r);
  add_resolved_deepspeed(s, summary);
  std::string json = json_text(summary) + "\n";
  if (!args.scenario.out_dir.empty()) {
    write_output_file(args.scenario.out_dir, "summary.json", json);
    write_output_file(args.scenario.out_dir, "summary.txt", table);
  }
  std::cout << (args.scenario.json ? json : table);
  if (args.fail_on_oom && !r.verdict.gpu_fits)
    throw oom_exit(r.peak.value(), "pipeline stage " + std::to_string(r.peak_stage), r.gpu_memory.value());
  if (args.fail_on_oom && !r.verdict.host_fits)
    throw offload_oom_exit(r.host_peak_per_node.value(), "host memory", s.cluster.node.host_memory.value());
  if (args.fail_on_oom && !r.verdict.nvme_fits)
    throw offload_oom_exit(r.nvme_peak_per_node.value(), "NVMe", s.cluster.node.nvme_capacity.value());
}

}  // namespace

void add_mem_command(CLI::App& app) {
  auto args = std::make_shared<MemArgs>();
  CLI::App* cmd =
      app.add_subcommand("mem", "per-GPU peak memory of a scenario, per pipeline stage (analytic, instant)");
  add_scenario_options(*cmd, args->scenario);
  cmd->add_flag("--fail-on-oom", args->fail_on_oom, "exit with status 1 when the plan does not fit in GPU memory");
  cmd->callback([args] { run_mem(*args); });
}

}  // namespace trainsim::cli
