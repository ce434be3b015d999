// Reading sweep CSVs back and merging shards (sweep_csv.hpp).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "sim/core/error.hpp"
#include "sim/sweep/sweep_csv.hpp"

namespace trainsim {
namespace {

// Splits RFC 4180 text into records; a quoted cell may hold commas, quotes and newlines.
std::vector<std::pair<int, std::vector<std::string>>> records(const std::string& text, const std::string& file) {
  std::vector<std::pair<int, std::vector<std::string>>> out;
  std::vector<std::string> cells(1);
  bool quoted = false, any = false;
  int line = 1, start = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
        cells.back() += '"', ++i;
      else if (c == '"')
        quoted = false;
      else
        cells.back() += c, line += c == '\n';
    } else if (c == '"') {
      quoted = any = true;
    } else if (c == ',') {
      cells.emplace_back(), any = true;
    } else if (c == '\n') {
      out.emplace_back(start, std::move(cells));
      cells.assign(1, ""), any = false, start = ++line;
    } else if (c != '\r') {
      cells.back() += c, any = true;
    }
  }
  if (quoted) throw ConfigError({file, start, ""}, "unterminated quoted cell");
  if (any) out.emplace_back(start, std::move(cells));
  return out;
}

std::size_t point_of(const std::vector<std::string>& row, const std::string& file, int line) {
  std::size_t used = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(row.at(0), &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != row[0].size())
    throw ConfigError({file, line, "point"}, "'" + row[0] + "' is not a point index");
  return static_cast<std::size_t>(v);
}

// Columns that hold a metric the merge reads or ranks by: the simulated step's
// numbers, the byte counts and the breakdown terms (never a swept key, which
// is dotted).
bool numeric_metric(const std::string& name) {
  if (name.find('.') != std::string::npos) return false;
  static const char* const kNumbers[] = {"step_time_s", "tokens_per_s", "model_tflops_per_gpu",
                                         "hardware_tflops_per_gpu", "mfu"};
  for (const char* n : kNumbers)
    if (name == n) return true;
  const auto ends = [&](const std::string& tail) {
    return name.size() > tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
  };
  return name.rfind("breakdown_", 0) == 0 || ends("_bytes") || ends("_bytes_per_node");
}

bool boolean_metric(const std::string& name) {
  return name == "fits" || name == "gpu_fits" || name == "host_fits" || name == "nvme_fits" || name == "pareto";
}

// Every metric cell of a row as trainsim sweep writes it: a finite number >= 0
// (or empty, for points not simulated), true/false, a known status. A negative
// or NaN step time would otherwise rank first (issue 25).
void check_metrics(const std::vector<std::string>& header, const std::vector<std::string>& row, const std::string& file,
                   int line) {
  auto fail = [&](std::size_t c, const std::string& what) {
    throw ConfigError({file, line, header[c]}, "column " + std::to_string(c + 1) + " ('" + header[c] + "'): '" +
                                                   row[c] + "' " + what +
                                                   "; merge only CSVs written by trainsim sweep --out");
  };
  for (std::size_t c = 1; c < header.size(); ++c) {
    const std::string& v = row[c];
    if (numeric_metric(header[c]) && !v.empty()) {
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      if (end != v.c_str() + v.size() || !std::isfinite(x) || x < 0) fail(c, "is not a finite number >= 0");
      if (header[c] == "step_time_s" && !(x > 0)) fail(c, "is not a step time > 0 s");
    } else if (boolean_metric(header[c]) && !(v == "true" || v == "false" || (v.empty() && header[c] != "pareto"))) {
      fail(c, "is not true or false");
    } else if (header[c] == "status" && v != "simulated" && v != "pruned_oom" && v != "invalid") {
      fail(c, "is not a status (simulated, pruned_oom, invalid)");
    }
  }
}

}  // namespace

CsvTable parse_csv(const std::string& text, const std::string& file) {
  auto recs = records(text, file);
  if (recs.empty()) throw ConfigError({file, 1, ""}, "empty file; expected a sweep CSV with a header line");
  CsvTable t;
  t.header = std::move(recs[0].second);
  if (t.header.empty() || t.header[0] != "point")
    throw ConfigError({file, 1, ""}, "not a sweep CSV: the first column must be 'point'");
  for (std::size_t i = 1; i < recs.size(); ++i) {
    if (recs[i].second.size() != t.header.size())
      throw ConfigError(
          {file, recs[i].first, ""},
          std::to_string(recs[i].second.size()) + " cells where the header has " + std::to_string(t.header.size()));
    point_of(recs[i].second, file, recs[i].first);
    check_metrics(t.header, recs[i].second, file, recs[i].first);
    t.rows.push_back(std::move(recs[i].second));
  }
  return t;
}

CsvTable merge_tables(const std::vector<CsvTable>& parts, const std::vector<std::string>& files) {
  if (parts.empty()) throw ConfigError({"--merge", 0, ""}, "no CSV files to merge");
  CsvTable out;
  out.header = parts[0].header;
  std::map<std::size_t, std::pair<const std::vector<std::string>*, std::size_t>> by_point;  // point -> row, part
  for (std::size_t f = 0; f < parts.size(); ++f) {
    if (parts[f].header != out.header)
      throw ConfigError({files.at(f), 1, ""}, "its header differs from " + files[0] + "'s; merge shards of one sweep");
    for (const auto& row : parts[f].rows) {
      std::size_t p = point_of(row, files[f], 0);
      auto [it, fresh] = by_point.emplace(p, std::make_pair(&row, f));
      if (!fresh)
        throw ConfigError({files[f], 0, "point"}, "point " + std::to_string(p) + " is also in " +
                                                      files[it->second.second] + "; merge each shard once");
    }
  }
  std::size_t expected = 0;
  for (const auto& [p, row] : by_point) {
    if (p != expected)
      throw ConfigError({"--merge", 0, "point"}, "points " + std::to_string(expected) + " to " + std::to_string(p - 1) +
                                                     " are missing; give every shard's CSV");
    out.rows.push_back(*row.first);
    ++expected;
  }
  mark_pareto(out);
  return out;
}

}  // namespace trainsim
