#include "sim/validate/validation_report.hpp"

#include <algorithm>

#include "sim/core/format.hpp"

namespace trainsim {
namespace {

using Json = nlohmann::json;
using Table = std::vector<std::vector<std::string>>;

template <class T>
Json opt(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

// v x scale with `decimals` digits ("-" when absent); `sign` writes '+' on gains.
std::string opt_text(int decimals, const std::optional<double>& v, double scale = 1, bool sign = false) {
  return v ? fixed(*v * scale, decimals, sign) : "-";
}

std::string percent(double fraction) { return fixed(100 * fraction, 1) + "%"; }

std::string chosen_text(const RowReport& r) {
  std::string t;
  for (const auto& [col, value] : r.chosen) t += (t.empty() ? "" : " ") + col + "=" + value;
  return t.empty() ? "-" : t;
}

std::string oom_text(const RowReport& r) {
  std::string measured = r.measured_oom ? "OOM" : "ran";
  std::string predicted = !r.fits ? "?" : *r.fits ? "fits" : "OOM";
  return measured + "/" + predicted + (r.failed || r.oom_agrees() ? "" : " !");
}

Json row_json(const RowReport& r) {
  Json j;
  j["id"] = r.id;
  j["file"] = r.file;
  j["line"] = r.line;
  j["family"] = r.family;
  j["model"] = r.model;
  j["gpus"] = r.gpus;
  j["status"] = r.failed ? "failed" : "ok";
  if (r.failed) j["reason"] = r.reason;
  j["measured_step_time_s"] = opt(r.measured_step_time_s);
  j["predicted_step_time_s"] = opt(r.predicted_step_time_s);
  j["error"] = opt(r.error);
  j["measured_peak_memory_gb"] = opt(r.measured_peak_memory_gb);
  j["predicted_peak_memory_gb"] = opt(r.predicted_peak_memory_gb);
  j["analytic_peak_memory_gb"] = opt(r.analytic_peak_memory_gb);
  j["memory_error"] = opt(r.memory_error);
  j["fits"] = opt(r.fits);
  j["measured_oom"] = r.measured_oom;
  j["oom_agrees"] = r.oom_agrees();
  j["chosen"] = Json::object();
  for (const auto& [col, value] : r.chosen) j["chosen"][col] = value;
  j["candidates"] = r.candidates;
  j["candidates_fitting"] = r.candidates_fitting;
  j["predicted_tflops_per_gpu"] = opt(r.predicted_tflops_per_gpu);
  j["measured_tflops_per_gpu"] = opt(r.measured_tflops_per_gpu);
  j["reported_tflops_per_gpu"] = opt(r.reported_tflops_per_gpu);
  j["launch"] = Json::array();
  for (const LaunchSetting& l : r.launch) j["launch"].push_back({{"key", l.key}, {"value", l.value}, {"why", l.why}});
  j["settings"] = Json::array();
  for (const LaunchSetting& l : r.settings) j["settings"].push_back({{"key", l.key}, {"value", l.value}});
  j["read_as"] = Json::array();
  for (const CellReading& c : r.read_as)
    j["read_as"].push_back({{"column", c.column}, {"value", c.value}, {"why", c.why}});
  j["layout"] = nullptr;
  if (r.layout) {
    const ParallelPlan& p = r.layout->parallel;
    const TrainingPlan& t = r.layout->training;
    j["layout"] = {{"tp", p.tp},
                   {"pp", p.pp},
                   {"dp", p.dp},
                   {"cp", p.cp},
                   {"vp", p.vp},
                   {"sequence_parallel", p.sequence_parallel},
                   {"zero_stage", p.zero_stage},
                   {"micro_batch", t.micro_batch},
                   {"global_batch", t.global_batch},
                   {"micro_batches", r.layout->micro_batches},
                   {"seq_len", t.seq_len},
                   {"precision", to_string(t.precision)},
                   {"recompute", to_string(t.recompute)}};
  }
  j["breakdown_s"] = nullptr;
  if (r.breakdown) {
    j["breakdown_s"] = Json::object();
    for (const auto& [name, seconds] : r.breakdown->items()) j["breakdown_s"][name] = seconds;
  }
  return j;
}

Table row_table(const ValidationResult& v) {
  Table t = {{"id", "family", "GPUs", "measured [s]", "predicted [s]", "error [%]", "meas. mem [GB]", "pred. mem [GB]",
              "OOM meas/pred", "auto choices"}};
  for (const RowReport& r : v.rows)
    t.push_back({r.id, r.family, std::to_string(r.gpus), opt_text(3, r.measured_step_time_s),
                 opt_text(3, r.predicted_step_time_s), r.failed ? "FAILED" : opt_text(1, r.error, 100, true),
                 opt_text(1, r.measured_peak_memory_gb), opt_text(1, r.predicted_peak_memory_gb), oom_text(r),
                 chosen_text(r)});
  return t;
}

std::string render_text(const Table& t) {
  std::vector<std::size_t> width(t.front().size(), 0);
  for (const auto& row : t)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out;
  for (const auto& row : t) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      std::string pad(width[i] - row[i].size(), ' ');
      bool left = i <= 1 || i + 1 == row.size();
      out += (i ? "  " : "") + (left ? row[i] + (i + 1 == row.size() ? "" : pad) : pad + row[i]);
    }
    out += "\n";
  }
  return out;
}

std::string render_markdown(const Table& t) {
  std::string out;
  for (std::size_t r = 0; r < t.size(); ++r) {
    out += "|";
    for (const auto& cell : t[r]) out += " " + cell + " |";
    out += "\n";
    if (r == 0) {
      out += "|";
      for (std::size_t i = 0; i < t[r].size(); ++i) out += i <= 1 || i + 1 == t[r].size() ? "---|" : "---:|";
      out += "\n";
    }
  }
  return out;
}

std::string failed_text(const ValidationResult& v, const std::string& bullet) {
  std::string out;
  for (const RowReport& r : v.rows)
    if (r.failed) out += bullet + r.id + " (" + r.file + ":" + std::to_string(r.line) + "): " + r.reason + "\n";
  return out;
}

// Cells read as another name: a GPU or cluster without a card
// (row_hardware.hpp), an mlp alias (row_mlp).
std::string substituted_text(const ValidationResult& v, const std::string& bullet) {
  std::string out;
  for (const RowReport& r : v.rows)
    for (const CellReading& c : r.read_as) out += bullet + r.id + ": " + c.why + "\n";
  return out;
}

// The launch each row states (its settings column), one line per row that states one.
std::string stated_text(const ValidationResult& v, const std::string& bullet) {
  std::string out;
  for (const RowReport& r : v.rows) {
    if (r.settings.empty()) continue;
    std::string pairs;
    for (const LaunchSetting& l : r.settings) pairs += (pairs.empty() ? "" : "; ") + l.key + "=" + l.value;
    out += bullet + r.id + ": " + pairs + "\n";
  }
  return out;
}

}  // namespace

Json summary_json(const ValidationSummary& s) {
  return {{"rows", s.rows},
          {"rows_failed", s.rows_failed},
          {"rows_compared", s.rows_compared},
          {"mape_step_time", opt(s.mape_step_time)},
          {"median_abs_error", opt(s.median_abs_error)},
          {"max_abs_error", opt(s.max_abs_error)},
          {"max_abs_error_id", s.max_abs_error_id},
          {"mean_error", opt(s.mean_error)},
          {"rows_over_10pct", s.rows_over_10pct},
          {"rows_over_20pct", s.rows_over_20pct},
          {"oom_agreement", opt(s.oom_agreement)},
          {"oom_rows_agreeing", s.oom_rows_agreeing},
          {"memory_rows", s.memory_rows},
          {"memory_mape", opt(s.memory_mape)},
          {"memory_max_abs_error", opt(s.memory_max_abs_error)}};
}

Json validation_json(const ValidationResult& v) {
  Json j;
  j["schema_version"] = 1;
  j["files"] = Json::array();
  for (std::size_t i = 0; i < v.files.size(); ++i)
    j["files"].push_back({{"file", v.files[i]}, {"summary", summary_json(v.per_file[i])}});
  j["rows"] = Json::array();
  for (const RowReport& r : v.rows) j["rows"].push_back(row_json(r));
  j["summary"] = summary_json(v.summary);
  return j;
}

std::string format_summary_text(const ValidationSummary& s) {
  std::string out = "rows " + std::to_string(s.rows) + ", failed " + std::to_string(s.rows_failed) +
                    ", step time compared on " + std::to_string(s.rows_compared) + "\n";
  if (s.mape_step_time)
    out += "step time: MAPE " + percent(*s.mape_step_time) + ", median |error| " + percent(*s.median_abs_error) +
           ", max |error| " + percent(*s.max_abs_error) + " (" + s.max_abs_error_id + "), mean error " +
           fixed(100 * *s.mean_error, 1, true) + "%" + ", rows over 10%: " + std::to_string(s.rows_over_10pct) +
           ", over 20%: " + std::to_string(s.rows_over_20pct) + "\n";
  if (s.oom_agreement)
    out += "fits/OOM agreement: " + std::to_string(s.oom_rows_agreeing) + " of " + std::to_string(s.rows) + " rows (" +
           percent(*s.oom_agreement) + ")\n";
  if (s.memory_mape)
    out += "peak memory: MAPE " + percent(*s.memory_mape) + " over " + std::to_string(s.memory_rows) +
           " rows, max |error| " + percent(*s.memory_max_abs_error) + "\n";
  return out;
}

std::string format_validation_text(const ValidationResult& v) {
  std::string out = render_text(row_table(v));
  std::string stated = stated_text(v, "  ");
  if (!stated.empty()) out += "\nlaunch settings stated by the rows (settings column):\n" + stated;
  std::string substituted = substituted_text(v, "  ");
  if (!substituted.empty()) out += "\ncells read as another name (assumptions):\n" + substituted;
  std::string failed = failed_text(v, "  ");
  if (!failed.empty()) out += "\nfailed rows (counted as failures):\n" + failed;
  return out + "\n" + format_summary_text(v.summary);
}

std::string format_validation_markdown(const ValidationResult& v) {
  std::string out = render_markdown(row_table(v));
  std::string stated = stated_text(v, "- ");
  if (!stated.empty()) out += "\nLaunch settings stated by the rows (settings column):\n\n" + stated;
  std::string substituted = substituted_text(v, "- ");
  if (!substituted.empty()) out += "\nCells read as another name (assumptions):\n\n" + substituted;
  std::string failed = failed_text(v, "- ");
  if (!failed.empty()) out += "\nFailed rows (counted as failures):\n\n" + failed;
  std::string summary = format_summary_text(v.summary);
  out += "\n";
  std::size_t pos = 0;
  while (pos < summary.size()) {  // one bullet per summary line
    std::size_t end = summary.find('\n', pos);
    out += "- " + summary.substr(pos, end - pos) + "\n";
    pos = end + 1;
  }
  return out;
}

}  // namespace trainsim
