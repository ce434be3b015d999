#include "sim/validate/runs_csv.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/spec/input_file.hpp"

namespace trainsim {
namespace {

// One record: its fields and the line it starts on.
struct Record {
  int line = 0;
  std::vector<std::string> fields;
};

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  std::size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

bool blank(const Record& r) { return r.fields.size() == 1 && trim(r.fields[0]).empty(); }

// Splits RFC 4180 text into records; quoted fields may span lines.
std::vector<Record> split_records(const std::string& text, const std::string& file) {
  std::vector<Record> out;
  Record cur{1, {""}};
  int line = 1, quote_line = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
        cur.fields.back() += '"', ++i;
      else if (c == '"')
        quoted = false;
      else
        cur.fields.back() += c;
      if (c == '\n') ++line;
    } else if (c == '"') {
      quoted = true;
      quote_line = line;
    } else if (c == ',') {
      cur.fields.emplace_back();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out.push_back(std::move(cur));
      cur = Record{++line, {""}};
    } else {
      cur.fields.back() += c;
    }
  }
  if (quoted)
    throw ConfigError({file, quote_line, ""}, "unterminated quoted field (a '\"' opened here is never closed)");
  out.push_back(std::move(cur));
  out.erase(std::remove_if(out.begin(), out.end(), blank), out.end());
  return out;
}

std::vector<std::string> read_header(const Record& r, const std::string& file) {
  std::vector<std::string> columns;
  std::set<std::string> seen;
  for (const std::string& f : r.fields) {
    std::string name = trim(f);
    if (!seen.insert(name).second) throw ConfigError({file, r.line, name}, "column named twice in the header");
    columns.push_back(name);
  }
  for (const std::string& need : required_run_columns())
    if (!seen.count(need)) {
      std::string all;
      for (const auto& c : required_run_columns()) all += (all.empty() ? "" : ",") + c;
      throw ConfigError({file, r.line, need}, "missing column '" + need + "'; a runs CSV needs the columns " + all +
                                                  " (data/reference/README.md explains them)");
    }
  return columns;
}

RunRow make_row(const Record& r, const std::vector<std::string>& columns, const std::string& file) {
  if (r.fields.size() != columns.size())
    throw ConfigError({file, r.line, ""}, "this record has " + std::to_string(r.fields.size()) +
                                              " fields but the header has " + std::to_string(columns.size()) +
                                              " columns (quote fields that hold commas)");
  RunRow row;
  row.file = file;
  row.line = r.line;
  for (std::size_t i = 0; i < columns.size(); ++i) row.cells[columns[i]] = trim(r.fields[i]);
  if (row.id().empty()) throw ConfigError(row.where("id"), "empty id; every run needs a unique name");
  return row;
}

}  // namespace

const std::string& RunRow::get(const std::string& column) const {
  static const std::string kEmpty;
  auto it = cells.find(column);
  return it == cells.end() ? kEmpty : it->second;
}

std::optional<int> RunRow::positive_int(const std::string& column) const {
  const std::string& t = get(column);
  std::size_t used = 0;
  int v = 0;
  try {
    v = std::stoi(t, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != t.size() || v < 1) return std::nullopt;
  return v;
}

std::string lower_case(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string RunRow::word(const std::string& column) const { return lower_case(get(column)); }

const std::vector<std::string>& required_run_columns() {
  static const std::vector<std::string> columns = {"id",
                                                   "model",
                                                   "layers",
                                                   "hidden",
                                                   "heads",
                                                   "kv_heads",
                                                   "ffn",
                                                   "vocab",
                                                   "mlp",
                                                   "seq_len",
                                                   "gpu",
                                                   "cluster",
                                                   "gpus",
                                                   "precision",
                                                   "tp",
                                                   "pp",
                                                   "dp",
                                                   "cp",
                                                   "sequence_parallel",
                                                   "vp",
                                                   "zero_stage",
                                                   "micro_batch",
                                                   "global_batch",
                                                   "recompute",
                                                   "step_time_s",
                                                   "peak_memory_gb",
                                                   "oom"};
  return columns;
}

RunsTable parse_runs_csv(const std::string& text, const std::string& file) {
  std::vector<Record> records = split_records(std::string(strip_bom(text)), file);
  if (records.empty()) throw ConfigError({file, 1, ""}, "empty runs file; expected a header line and one run per line");
  RunsTable t;
  t.file = file;
  t.columns = read_header(records.front(), file);
  std::map<std::string, int> first_line;
  for (std::size_t i = 1; i < records.size(); ++i) {
    RunRow row = make_row(records[i], t.columns, file);
    auto [it, fresh] = first_line.emplace(row.id(), row.line);
    if (!fresh)
      throw ConfigError(row.where("id"),
                        "id '" + row.id() + "' already names the run on line " + std::to_string(it->second));
    t.rows.push_back(std::move(row));
  }
  return t;
}

RunsTable read_runs_csv(const std::string& path) {
  return parse_runs_csv(read_input_file(path, "runs CSV (the schema of data/reference/calibration_runs.csv)"), path);
}

}  // namespace trainsim
