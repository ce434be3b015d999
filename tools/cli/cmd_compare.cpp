// `trainsim compare COMPARE.yaml [--threads N] [--json] [--csv FILE] [--plot FILE.svg]`
// (docs/compare.md): the buying question. For each candidate cluster the plan
// search's best layout, then time to train, cost, energy and goodput.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "cli_common.hpp"
#include "sim/buy/compare_report.hpp"

namespace trainsim::cli {
namespace {

struct CompareArgs {
  std::string file;
  int threads = 0;  // 0 = every hardware thread
  bool json = false;
  std::string csv;
  std::string plot;
};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw UsageError("cannot write '" + path + "'");
}

// Progress on stderr (nothing under --quiet): a line per candidate, then a
// line at every quarter of its plans, so a long search shows it is moving.
CompareOptions progress_options(int threads) {
  CompareOptions o;
  o.threads = threads;
  if (quiet()) return o;
  using Clock = std::chrono::steady_clock;
  auto start = std::make_shared<Clock::time_point>(Clock::now());
  auto quarter = std::make_shared<std::size_t>(0);
  o.started = [start, quarter](std::size_t i, std::size_t n, std::size_t points) {
    *start = Clock::now();
    *quarter = 0;
    std::fprintf(stderr, "compare: candidate %zu/%zu: %zu plans\n", i + 1, n, points);
  };
  o.progress = [start, quarter](std::size_t done, std::size_t total) {
    const std::size_t q = total ? done * 4 / total : 4;
    if (q == *quarter) return;
    *quarter = q;
    const double s = std::chrono::duration<double>(Clock::now() - *start).count();
    std::fprintf(stderr, "compare:   %zu/%zu plans, %.1f s\n", done, total, s);
  };
  return o;
}

void compare_command(const CompareArgs& args) {
  const CompareSpec spec = load_compare_file(args.file);
  const Zoo zoo = default_zoo();
  int threads = args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = usable_threads(threads, "--threads");
  const auto start = std::chrono::steady_clock::now();
  const CompareResult result = run_compare(spec, zoo, progress_options(threads));
  if (!quiet())
    std::fprintf(stderr, "compared %zu candidates in %.1f s on %d threads\n", result.rows.size(),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), threads);
  if (!args.csv.empty()) write_file(args.csv, compare_csv(result));
  if (!args.plot.empty()) write_file(args.plot, render_svg(compare_plot(result)));
  if (args.json)
    std::cout << json_text(compare_json(result)) << "\n";
  else
    std::cout << format_compare_table(result);
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand("compare",
                                     "before buying: candidate clusters for one training job, each with its best "
                                     "layout, time to train, cost, energy and goodput; docs/compare.md");
  cmd->add_option("compare", args->file, "compare YAML: the model, tokens and training job, and the candidates")
      ->required();
  cmd->add_option("--threads", args->threads, "worker threads (default: every hardware thread); same result for any")
      ->check(non_negative_integer());
  cmd->add_flag("--json", args->json, "print one JSON document (candidates best first)");
  cmd->add_option("--csv", args->csv, "write one CSV row per candidate");
  cmd->add_option("--plot", args->plot, "write effective time to train against cost as SVG, the Pareto front marked");
  cmd->callback([args] { compare_command(*args); });
}

}  // namespace trainsim::cli
