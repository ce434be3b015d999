// `trainsim validate [--runs FILE.csv]... [--json [OUT]] [--markdown OUT]
//  [--threads N] [--filter REGEX] [--html OUT]`: predictions against measured training
// runs (sim/validate/validation.hpp). Exit 0 when it ran, whatever the
// accuracy (the figures are the report, not the status); 2 on bad input (an
// unreadable CSV, a missing column: the message names file, line and column).
#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "cli_common.hpp"
#include "sim/report/html_report.hpp"
#include "sim/validate/validation.hpp"
#include "sim/validate/validation_report.hpp"

namespace trainsim::cli {
namespace {

struct ValidateArgs {
  std::vector<std::string> runs;  // --runs, in order
  std::string json_out;           // --json OUT ("" with the flag alone: stdout)
  bool json = false;
  std::string markdown_out;  // --markdown OUT
  std::string html_out;      // --html OUT
  int threads = 0;           // 0: the machine's hardware threads
  std::string filter;
};

// The default runs file: the calibration set shipped in the data directory
// (data/reference/calibration_runs.csv of the source tree or the install).
std::string default_runs(const Zoo& zoo) {
  return (zoo.root() / "data" / "reference" / "calibration_runs.csv").lexically_normal().string();
}

void write_file(const std::string& path, const std::string& text) {
  std::filesystem::path p(path);
  write_output_file(p.parent_path().empty() ? "." : p.parent_path().string(), p.filename().string(), text);
}

void run_validate(const ValidateArgs& args) {
  Zoo zoo = default_zoo();
  std::vector<std::string> files = args.runs.empty() ? std::vector<std::string>{default_runs(zoo)} : args.runs;
  std::vector<RunsTable> tables;
  for (const std::string& f : files) tables.push_back(read_runs_csv(f));
  ValidateOptions o;
  o.threads = args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.threads = usable_threads(o.threads, "--threads");
  o.filter = args.filter;
  auto start = std::chrono::steady_clock::now();
  ValidationResult v = validate_runs(tables, zoo, o);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("validate: {} rows in {:.1f} s on {} threads", v.rows.size(), wall, o.threads);
  const nlohmann::json doc = validation_json(v);
  std::string json = json_text(doc) + "\n";
  if (!args.json_out.empty() && args.json_out != "-") write_file(args.json_out, json);
  if (!args.markdown_out.empty()) write_file(args.markdown_out, format_validation_markdown(v));
  if (!args.html_out.empty()) write_file(args.html_out, html_validate_report(doc));
  bool json_to_stdout = args.json && (args.json_out.empty() || args.json_out == "-");
  std::cout << (json_to_stdout ? json : format_validation_text(v));
}

}  // namespace

void add_validate_command(CLI::App& app) {
  auto args = std::make_shared<ValidateArgs>();
  CLI::App* cmd =
      app.add_subcommand("validate", "predictions against measured training runs (step time, peak memory, OOM)");
  cmd->add_option("--runs", args->runs,
                  "runs CSV in the schema of data/reference/calibration_runs.csv (repeatable; default: that file, "
                  "shipped in the data directory)")
      ->take_all()
      ->allow_extra_args(false);
  CLI::Option* json =
      cmd->add_option("--json", args->json_out, "write the JSON report to OUT (alone or with '-': print it on stdout)");
  json->expected(0, 1);
  cmd->add_option("--markdown", args->markdown_out, "write the per-row table and the summary as Markdown to OUT");
  cmd->add_option("--html", args->html_out,
                  "write a self-contained HTML report: predicted vs measured per family, details on hover");
  cmd->add_option("--threads", args->threads, "plan-search worker threads (default: the machine's hardware threads)")
      ->check(positive_integer());
  cmd->add_option("--filter", args->filter, "only the rows whose id matches this regular expression");
  cmd->callback([args, json] {
    args->json = json->count() > 0;
    run_validate(*args);
  });
}

}  // namespace trainsim::cli
