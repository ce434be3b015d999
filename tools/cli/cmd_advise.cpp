// `trainsim advise SCENARIO [--set k=v]... [--threads N] [--json] [--write DIR]`: why a plan
// does not fit or is slow, and the nearest plans that fit or are faster, each
// simulated (sim/sweep/advise.hpp, docs/sweep.md).
#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <iostream>
#include <memory>
#include <thread>

#include <spdlog/spdlog.h>

#include "cli_common.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/core/format.hpp"
#include "sim/core/quantity.hpp"
#include "sim/import/deepspeed/ds_patch.hpp"
#include "sim/report/report_format.hpp"
#include "sim/spec/input_file.hpp"
#include "sim/sweep/advise.hpp"
#include "sim/sweep/advise_json.hpp"

namespace trainsim::cli {
namespace {

struct AdviseArgs {
  ScenarioArgs scenario;
  int threads = 0;
  std::size_t top = 10;
  int max_changes = 4;
  std::size_t beam = 8;
  std::string write_dir;  // --write DIR (write_suggestion)
};

// The changes as edits of the user's files: "; " between ds_config edits (which may hold commas),
// ", " between scenario keys as before.
std::string change_text(const Suggestion& s, bool ds_config) {
  std::string out;
  for (const auto& e : s.edits) out += (out.empty() ? "" : ds_config ? "; " : ", ") + e;
  return out;
}

std::string by_changes_text(const Advice& a) {
  std::string out = "best plan that fits for each number of changes (" + a.space.framework + "; " +
                    std::to_string(a.candidates) + " plans evaluated, beam " + std::to_string(a.beam_width) + "):\n";
  for (const ChangeLevel& l : a.by_changes) {
    const Suggestion& s = l.best;
    out += "  " + std::to_string(l.changed_keys) + (l.changed_keys == 1 ? " change:  " : " changes: ");
    out += l.found ? "step " + fixed(s.step_time_s, 3) + " s, " + fixed(s.tokens_per_s, 0) + " tokens/s, peak " +
                         gib_text(s.peak_memory_bytes) + " GiB: " + change_text(s, a.space.ds_config_edits) + "\n"
                   : "none among " + std::to_string(l.evaluated) + " plans\n";
  }
  return out + "\n";
}

std::string advice_text(const Advice& a) {
  const std::string given = "plan as given: peak " + gib_text(a.peak_memory_bytes) + " GiB of " +
                            gib_text(a.gpu_memory_bytes) + " GiB (" + (a.fits ? "fits" : "DOES NOT FIT") + "), step " +
                            fixed(a.step_time_s, 3) + " s, " + fixed(a.tokens_per_s, 0) + " tokens/s\n";
  std::string out = a.simulated ? given
                                : "plan as given: not simulated (" + a.reason + "); analytic peak " +
                                      gib_text(a.peak_memory_bytes) + " GiB of " + gib_text(a.gpu_memory_bytes) +
                                      " GiB (" + (a.fits ? "fits" : "DOES NOT FIT") + ")\n";
  if (!a.shortfall.empty()) out += "does not fit: " + a.shortfall + "\n";
  out += "memory at the peak, largest first:";
  for (const auto& [term, bytes] : a.memory_terms) out += " " + term + " " + gib_text(bytes);
  out += " GiB\n\n";
  out += by_changes_text(a);
  out += a.fits ? "faster plans that fit (simulated), fastest first:\n"
                : "nearest plans that fit (simulated), fastest first:\n";
  std::vector<std::vector<std::string>> rows = {
      {"changes", "step [s]", "tokens/s", "peak [GiB]", "memory vs given [GiB]"}};
  for (const auto& s : a.suggestions) {
    rows.push_back({change_text(s, a.space.ds_config_edits), fixed(s.step_time_s, 3), fixed(s.tokens_per_s, 0),
                    gib_text(s.peak_memory_bytes), fixed((s.peak_memory_bytes - a.peak_memory_bytes) / kGiB, 2, true)});
  }
  out += a.suggestions.empty() ? "  none among " + std::to_string(a.candidates) + " plans tried\n"
                               : render_text_table(rows);
  if (!a.not_simulated.empty())
    out += "\nfit by the analytic memory model but not simulated (" + a.not_simulated[0].reason + "):\n";
  for (const auto& s : a.not_simulated)
    out +=
        "  " + change_text(s, a.space.ds_config_edits) + ": analytic peak " + gib_text(s.peak_memory_bytes) + " GiB\n";
  return out;
}

// DIR/ds_config.json as the user's own file with only the plan's changes
// (ds_patch.hpp patch_user_ds_config), replacing the resolved one that
// write_resolved wrote: the scenario beside it states every key, so the pair
// still loads as the plan.
void write_user_ds_config(const Scenario& base, const Scenario& plan,
                          const std::vector<std::pair<std::string, std::string>>& changes, const std::string& dir) {
  const std::string original =
      read_input_file(base.imports.ds_config_file, "DeepSpeed config file (deepspeed_config / --ds-config)");
  std::map<std::string, std::string> pointers;
  for (const ImportedSetting& i : base.imports.applied)
    if (i.where.file == base.imports.ds_config_file) pointers.emplace(i.key, i.where.key);
  const DsBatch batch{plan.training.global_batch, plan.training.micro_batch, plan.parallel.dp};
  write_output_file(dir, "ds_config.json", patch_user_ds_config(original, changes, batch, pointers).json);
}

// --write DIR: the fastest suggestion that keeps the sequence length (a shorter
// sequence trains on other data), else the fastest; loaded and written as
// --save-resolved writes a scenario.
void write_suggestion(const Advice& a, const ScenarioFactory& factory, const std::string& dir) {
  if (a.suggestions.empty()) {
    spdlog::warn("--write {}: no plan to write (none of the plans tried fits)", dir);
    return;
  }
  // Ranked with every plan that keeps the sequence length first (advise.hpp),
  // so the first is the fastest that trains the same task, if any does.
  PlanPoint p{a.suggestions.front().changes};
  const Scenario plan = factory(p.overrides());
  write_resolved(plan, dir);
  if (!plan.imports.ds_config_file.empty()) write_user_ds_config(factory({}), plan, p.settings, dir);
  spdlog::info("--write {}: the plan with {}", dir, p.label());
}

void advise_command(const AdviseArgs& args) {
  Zoo zoo = default_zoo();
  auto factory = [&](const std::vector<std::string>& overrides) {
    std::vector<std::string> sets = args.scenario.sets;
    sets.insert(sets.end(), overrides.begin(), overrides.end());
    return load_args_scenario(args.scenario, sets, zoo);
  };
  log_scenario_imports(factory({}).imports);
  AdviseOptions o;
  o.threads = args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.threads = usable_threads(o.threads, "--threads");
  o.max_suggestions = args.top;
  o.max_changed_keys = args.max_changes;
  o.beam_width = args.beam;
  Advice a = advise(factory, o);
  std::string text = advice_text(a);
  std::string json = json_text(advice_json(a)) + "\n";
  if (!args.scenario.out_dir.empty()) {
    write_output_file(args.scenario.out_dir, "advice.json", json);
    write_output_file(args.scenario.out_dir, "advice.txt", text);
  }
  if (!args.write_dir.empty()) write_suggestion(a, factory, args.write_dir);
  std::cout << (args.scenario.json ? json : text);
}

}  // namespace

void add_advise_command(CLI::App& app) {
  auto args = std::make_shared<AdviseArgs>();
  CLI::App* cmd = app.add_subcommand("advise",
                                     "when a plan is out of memory or slow: its largest memory terms and the "
                                     "nearest plans that fit or run faster, each simulated");
  add_scenario_options(*cmd, args->scenario);
  cmd->add_option("--threads", args->threads, "worker threads (default: every hardware thread)")
      ->check(non_negative_integer());
  cmd->add_option("--top", args->top, "suggestions listed (default 10)");
  cmd->add_option("--max-changes", args->max_changes, "most keys changed at once (default 4)")
      ->check(number_in(1, 4, true));
  cmd->add_option("--beam", args->beam, "plans of n changes extended to n + 1 (default 8)")
      ->check(number_in(1, 64, true));
  cmd->add_option("--write", args->write_dir,
                  "write the fastest suggestion that keeps the sequence length into this folder: the scenario "
                  "YAML and, with a ds_config, the patched ds_config.json");
  cmd->callback([args] { advise_command(*args); });
}

}  // namespace trainsim::cli
