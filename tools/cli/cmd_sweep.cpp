// `trainsim sweep SWEEP.yaml [--threads N] [--shard K/N] [--out FILE.csv] [--top K]
//  [--plot FILE.svg] [--html FILE.html] [--json]` and `trainsim sweep --merge A.csv B.csv ... --out ALL.csv`
// (docs/sweep.md). Under mpirun (a TRAINSIM_MPI build) the ranks share the points.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "cli_common.hpp"
#include "sim/core/error.hpp"
#include "sim/spec/input_file.hpp"
#include "sim/report/html_report.hpp"
#include "sim/sweep/sweep_html.hpp"
#include "sim/sweep/sweep_mpi.hpp"
#include "sim/sweep/sweep_run.hpp"
#include "sim/sweep/sweep_summary.hpp"

namespace trainsim::cli {
namespace {

struct SweepArgs {
  std::string sweep;  // SWEEP.yaml
  int threads = 0;    // 0 = every hardware thread
  std::string shard = "1/1";
  std::string out;  // --out FILE.csv
  std::size_t top = 10;
  std::string plot;  // --plot FILE.svg
  std::string html;  // --html FILE.html
  bool json = false;
  std::vector<std::string> merge;  // --merge A.csv B.csv ...
};

void parse_shard(const std::string& text, SweepRunOptions& o) {
  int k = 0, n = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%d/%d%c", &k, &n, &tail) != 2 || n < 1 || k < 1 || k > n)
    throw UsageError("--shard: '" + text +
                     "' is not K/N with 1 <= K <= N (e.g. --shard 3/8 for Slurm array task 3 of 8)");
  o.shard = k;
  o.shards = n;
}

std::string read_file(const std::string& path) { return read_input_file(path, "sweep CSV (sweep --merge)"); }

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw UsageError("cannot write '" + path + "'");
}

// Progress on stderr (nothing under --quiet): a bar while stderr is a
// terminal; otherwise a line at every tenth of the points or every 30 s, so a
// log shows the sweep moving. Both say, once the first points are done, how
// long the whole shard should take (the first points' pace x the points left).
std::function<void(std::size_t, std::size_t)> progress_reporter(int threads) {
  if (quiet()) return {};
  using Clock = std::chrono::steady_clock;
  struct State {
    Clock::time_point start = Clock::now(), last_line = Clock::now();
    std::size_t last_filled = 0, last_tenth = 0;
    bool estimated = false;
  };
  auto st = std::make_shared<State>();
  const bool tty = isatty(STDERR_FILENO) != 0;
  const std::size_t sample = static_cast<std::size_t>(std::max(4, 2 * threads));
  return [st, tty, sample](std::size_t done, std::size_t total) {
    const Clock::time_point now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - st->start).count();
    const double left = done ? elapsed / static_cast<double>(done) * static_cast<double>(total - done) : 0;
    if (!st->estimated && (done >= sample || done == total) && done < total) {
      st->estimated = true;
      std::fprintf(stderr, "%ssweep: the first %zu points took %.1f s: about %.0f s for the other %zu\n",
                   tty ? "\r" : "", done, elapsed, left, total - done);
    }
    if (tty) {
      const std::size_t width = 40, filled = total ? done * width / total : width;
      if (filled == st->last_filled && done != total) return;
      st->last_filled = filled;
      std::fprintf(stderr, "\r[%s%s] %zu/%zu", std::string(filled, '#').c_str(),
                   std::string(width - filled, ' ').c_str(), done, total);
      if (done == total) std::fprintf(stderr, "\n");
      return;
    }
    const std::size_t tenth = total ? done * 10 / total : 10;
    if (tenth == st->last_tenth && now - st->last_line < std::chrono::seconds(30) && done != total) return;
    st->last_tenth = tenth;
    st->last_line = now;
    std::fprintf(stderr, "sweep: %zu/%zu points (%zu%%), %.1f s, about %.0f s left\n", done, total,
                 total ? done * 100 / total : 100, elapsed, left);
  };
}

// `spec`: the sweep file's (null for --merge), for the plot's title.
void report(const SweepArgs& args, const CsvTable& table, const std::map<std::string, std::size_t>& skipped,
            const SweepSpec* spec) {
  if (!args.out.empty()) write_file(args.out, csv_text(table));
  if (!args.plot.empty()) write_file(args.plot, render_svg(sweep_plot(table, sweep_plot_title(spec, table))));
  if (!args.html.empty())
    write_file(args.html, html_sweep_report(sweep_html_data(table, sweep_plot_title(spec, table),
                                                            std::max<std::size_t>(args.top, 1), skipped)));
  if (args.json)
    std::cout << json_text(sweep_report_json(table, args.top, skipped)) << "\n";
  else
    std::cout << format_sweep_report(table, args.top, skipped);
}

void merge_command(const SweepArgs& args) {
  if (args.out.empty()) throw UsageError("--merge needs --out ALL.csv");
  if (!args.sweep.empty()) throw UsageError("--merge takes CSV files only; drop '" + args.sweep + "'");
  std::vector<CsvTable> parts;
  for (const auto& f : args.merge) parts.push_back(parse_csv(read_file(f), f));
  CsvTable all = merge_tables(parts, args.merge);
  if (!quiet()) std::fprintf(stderr, "merged %zu files: %zu points\n", parts.size(), all.rows.size());
  report(args, all, {}, nullptr);
}

void sweep_command(const SweepArgs& args) {
  if (!args.merge.empty()) return merge_command(args);
  if (args.sweep.empty()) throw UsageError("give a sweep file (trainsim sweep SWEEP.yaml) or --merge A.csv B.csv ...");
  SweepRunOptions o;
  parse_shard(args.shard, o);
  o.threads = args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.threads = usable_threads(o.threads, "--threads");
  o.progress = progress_reporter(o.threads);
  o.counted = [&o](std::size_t all, std::size_t mine) {
    if (quiet()) return;
    if (o.shards > 1)
      std::fprintf(stderr, "sweep: %zu points, %zu of them in shard %d/%d, on %d threads\n", all, mine, o.shard,
                   o.shards, o.threads);
    else
      std::fprintf(stderr, "sweep: %zu points on %d threads\n", all, o.threads);
  };
  SweepSpec spec = load_sweep_file(args.sweep);
  Zoo zoo = default_zoo();
  auto start = std::chrono::steady_clock::now();
  std::optional<SweepRun> run = run_sweep_distributed(spec, zoo, o);
  if (!run) return;  // an MPI worker: rank 0 reports
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!quiet())
    std::fprintf(stderr, "swept %zu of %zu points (shard %d/%d) in %.1f s on %d threads\n", run->table.rows.size(),
                 run->total_points, o.shard, o.shards, wall, o.threads);
  report(args, run->table, run->skipped, &spec);
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand("sweep",
                                     "search layouts: every point of a sweep file simulated, ranked, "
                                     "its Pareto front of step time vs memory; docs/sweep.md");
  cmd->add_option("sweep", args->sweep, "sweep YAML: a scenario whose keys may hold lists or ranges (docs/sweep.md)");
  cmd->add_option("--threads", args->threads,
                  "worker threads (default: every hardware thread); the CSV is the same for any count")
      ->check(non_negative_integer());
  cmd->add_option("--shard", args->shard, "K/N: evaluate only points i with i mod N == K-1 (Slurm array task K of N)");
  cmd->add_option("--out", args->out, "write the CSV, one row per point (docs/sweep.md lists the columns)");
  cmd->add_option("--top", args->top, "plans in the ranked table (default 10)");
  cmd->add_option("--plot", args->plot, "write step time against peak memory as SVG, the Pareto front highlighted");
  cmd->add_option("--html", args->html,
                  "write a self-contained HTML report: interactive scatter, Pareto front, sortable top plans");
  cmd->add_flag("--json", args->json, "print one JSON document (counts, reasons, top plans, Pareto front)");
  cmd->add_option("--merge", args->merge, "join shard CSVs into the unsharded CSV (with --out)")->take_all();
  cmd->callback([args] { sweep_command(*args); });
}

}  // namespace trainsim::cli
