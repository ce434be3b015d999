// `trainsim advise SCENARIO [--set k=v]... [--threads N] [--json]`: why a plan
// does not fit or is slow, and the nearest plans that fit or are faster, each
// simulated (sim/sweep/advise.hpp, docs/sweep.md).
#include <iostream>
#include <memory>
#include <thread>

#include "cli_common.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/core/format.hpp"
#include "sim/core/quantity.hpp"
#include "sim/report/report_format.hpp"
#include "sim/sweep/advise.hpp"

namespace trainsim::cli {
namespace {

struct AdviseArgs {
  ScenarioArgs scenario;
  int threads = 0;
  std::size_t top = 10;
};

// "3" -> 3, "true" -> true, anything else a string: the value as the key table reads it.
nlohmann::json value_json(const std::string& v) {
  if (v == "true" || v == "false") return v == "true";
  if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos) return std::stoll(v);
  return v;
}

// The parts of a memory verdict, as summary.json writes them.
void add_verdict(nlohmann::json& j, const MemoryVerdict& v) {
  j["gpu_fits"] = v.gpu_fits;
  j["host_fits"] = v.host_fits;
  j["nvme_fits"] = v.nvme_fits;
}

nlohmann::json advice_json(const Advice& a) {
  nlohmann::json j = {{"simulated", a.simulated},
                      {"fits", a.fits},
                      {"memory_shortfall", a.shortfall},
                      {"peak_memory_bytes", whole_bytes(a.peak_memory_bytes)},
                      {"gpu_memory_bytes", whole_bytes(a.gpu_memory_bytes)},
                      {"step_time_s", a.step_time_s},
                      {"tokens_per_s", a.tokens_per_s}};
  add_verdict(j, a.verdict);
  j["memory_at_peak_bytes"] = nlohmann::json::object();
  for (const auto& [term, bytes] : a.memory_terms) j["memory_at_peak_bytes"][term] = whole_bytes(bytes);
  auto changes = [](const Suggestion& s) {
    nlohmann::json c = nlohmann::json::object();
    for (const auto& [k, v] : s.changes) c[k] = value_json(v);
    return c;
  };
  j["suggestions"] = nlohmann::json::array();
  for (const auto& s : a.suggestions) {
    nlohmann::json one = {{"changes", changes(s)},
                          {"fits", s.fits},
                          {"peak_memory_bytes", whole_bytes(s.peak_memory_bytes)},
                          {"step_time_s", s.step_time_s},
                          {"tokens_per_s", s.tokens_per_s}};
    add_verdict(one, s.verdict);
    j["suggestions"].push_back(std::move(one));
  }
  j["not_simulated"] = nlohmann::json::array();
  for (const auto& s : a.not_simulated)
    j["not_simulated"].push_back({{"changes", changes(s)},
                                  {"analytic_peak_memory_bytes", whole_bytes(s.peak_memory_bytes)},
                                  {"reason", s.reason}});
  j["candidates"] = a.candidates;
  return j;
}

std::string change_text(const Suggestion& s) {
  std::string out;
  for (const auto& [k, v] : s.changes) out += (out.empty() ? "" : ", ") + k + "=" + v;
  return out;
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
  out += a.fits ? "faster plans that fit (simulated), fastest first:\n"
                : "nearest plans that fit (simulated), fastest first:\n";
  std::vector<std::vector<std::string>> rows = {
      {"changes", "step [s]", "tokens/s", "peak [GiB]", "memory vs given [GiB]"}};
  for (const auto& s : a.suggestions) {
    rows.push_back({change_text(s), fixed(s.step_time_s, 3), fixed(s.tokens_per_s, 0), gib_text(s.peak_memory_bytes),
                    fixed((s.peak_memory_bytes - a.peak_memory_bytes) / kGiB, 2, true)});
  }
  out += a.suggestions.empty() ? "  none among " + std::to_string(a.candidates) + " plans tried\n"
                               : render_text_table(rows);
  if (!a.not_simulated.empty())
    out += "\nfit by the analytic memory model but not simulated (" + a.not_simulated[0].reason + "):\n";
  for (const auto& s : a.not_simulated)
    out += "  " + change_text(s) + ": analytic peak " + gib_text(s.peak_memory_bytes) + " GiB\n";
  return out;
}

void advise_command(const AdviseArgs& args) {
  Zoo zoo = default_zoo();
  auto factory = [&](const std::vector<std::string>& overrides) {
    std::vector<std::string> sets = args.scenario.sets;
    sets.insert(sets.end(), overrides.begin(), overrides.end());
    return load_args_scenario(args.scenario, sets, zoo);
  };
  AdviseOptions o;
  o.threads = args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.max_suggestions = args.top;
  Advice a = advise(factory, o);
  std::string text = advice_text(a);
  std::string json = advice_json(a).dump(2) + "\n";
  if (!args.scenario.out_dir.empty()) {
    write_output_file(args.scenario.out_dir, "advice.json", json);
    write_output_file(args.scenario.out_dir, "advice.txt", text);
  }
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
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--top", args->top, "suggestions listed (default 10)");
  cmd->callback([args] { advise_command(*args); });
}

}  // namespace trainsim::cli
