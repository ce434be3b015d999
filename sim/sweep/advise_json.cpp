#include "sim/sweep/advise_json.hpp"

#include <string>

#include "sim/report/report_format.hpp"

namespace trainsim {
namespace {

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

nlohmann::json changes_json(const Suggestion& s) {
  nlohmann::json c = nlohmann::json::object();
  for (const auto& [k, v] : s.changes) c[k] = value_json(v);
  return c;
}

nlohmann::json suggestion_json(const Suggestion& s) {
  nlohmann::json one = {{"changes", changes_json(s)},
                        {"edits", s.edits},
                        {"fits", s.fits},
                        {"peak_memory_bytes", whole_bytes(s.peak_memory_bytes)},
                        {"step_time_s", s.step_time_s},
                        {"tokens_per_s", s.tokens_per_s}};
  add_verdict(one, s.verdict);
  return one;
}

}  // namespace

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
  j["suggestions"] = nlohmann::json::array();
  for (const auto& s : a.suggestions) j["suggestions"].push_back(suggestion_json(s));
  j["by_changes"] = nlohmann::json::array();
  for (const ChangeLevel& l : a.by_changes) {
    nlohmann::json one = {{"changed_keys", l.changed_keys}, {"evaluated", l.evaluated}, {"found", l.found}};
    if (l.found) one["plan"] = suggestion_json(l.best);
    j["by_changes"].push_back(std::move(one));
  }
  j["framework"] = a.space.framework;
  j["ds_config_edits"] = a.space.ds_config_edits;
  j["search"] = {
      {"max_changed_keys", a.by_changes.size()}, {"beam_width", a.beam_width}, {"plans_evaluated", a.candidates}};
  j["not_simulated"] = nlohmann::json::array();
  for (const auto& s : a.not_simulated)
    j["not_simulated"].push_back({{"changes", changes_json(s)},
                                  {"analytic_peak_memory_bytes", whole_bytes(s.peak_memory_bytes)},
                                  {"reason", s.reason}});
  j["candidates"] = a.candidates;
  return j;
}

}  // namespace trainsim
