// Measured compute profile CSV (compute_profile.hpp).
#include "sim/cost/compute_profile.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "sim/config/error.hpp"

namespace trainsim {
namespace {

constexpr const char* kBlocks = "layer, attention, mlp, embedding, output";

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  std::string cell;
  while (std::getline(in, cell, ',')) out.push_back(trim(cell));
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

struct Reader {
  std::string file;
  std::vector<std::string> columns;  // header cells
  int line = 0;

  [[noreturn]] void fail(const std::string& key, const std::string& msg) const {
    throw ConfigError({file, line, key}, msg);
  }

  // A time cell in milliseconds, returned in seconds.
  double seconds(const std::string& cell, const std::string& column) const {
    if (cell.empty()) fail(column, "missing value; give a time in milliseconds, e.g. 7.7");
    char* end = nullptr;
    double v = std::strtod(cell.c_str(), &end);
    if (end != cell.c_str() + cell.size() || !std::isfinite(v))
      fail(column, "'" + cell + "' is not a number; give a time in milliseconds, e.g. 7.7");
    if (v < 0) fail(column, "time " + cell + " is negative; times are >= 0 ms");
    return v * 1e-3;
  }
};

void read_header(Reader& r, const std::string& text) {
  r.columns = split(text);
  bool ok = (r.columns.size() == 3 || r.columns.size() == 4) && r.columns[0] == "block" &&
            r.columns[1] == "forward_ms" && r.columns[2] == "backward_ms" &&
            (r.columns.size() == 3 || r.columns[3] == "recompute_ms");
  if (!ok) r.fail("header", "the header must be 'block,forward_ms,backward_ms[,recompute_ms]', got '" + text + "'");
}

// Stores one row's times into the profile field triple of its block.
void store(ComputeProfile& p, const Reader& r, const std::string& block, double f, double b, double rc) {
  auto set3 = [&](std::optional<double>& F, std::optional<double>& B, std::optional<double>& R) {
    F = f, B = b, R = rc;
  };
  auto set2 = [&](std::optional<double>& F, std::optional<double>& B) {
    if (rc > 0) r.fail("recompute_ms", "the " + block + " block is never recomputed; leave recompute_ms at 0");
    F = f, B = b;
  };
  if (block == "layer") set3(p.layer_forward_s, p.layer_backward_s, p.layer_recompute_s);
  else if (block == "attention") set3(p.attention_forward_s, p.attention_backward_s, p.attention_recompute_s);
  else if (block == "mlp") set3(p.mlp_forward_s, p.mlp_backward_s, p.mlp_recompute_s);
  else if (block == "embedding") set2(p.embedding_forward_s, p.embedding_backward_s);
  else if (block == "output") set2(p.output_forward_s, p.output_backward_s);
  else r.fail("block", "unknown block '" + block + "'; valid blocks: " + kBlocks);
}

void read_row(ComputeProfile& p, Reader& r, const std::string& text, std::set<std::string>& seen) {
  std::vector<std::string> cells = split(text);
  if (cells.size() != r.columns.size())
    r.fail("row", "expected " + std::to_string(r.columns.size()) + " comma-separated values, got " +
                      std::to_string(cells.size()));
  const std::string& block = cells[0];
  if (!seen.insert(block).second) r.fail("block", "block '" + block + "' is given twice");
  double f = r.seconds(cells[1], r.columns[1]);
  double b = r.seconds(cells[2], r.columns[2]);
  double rc = cells.size() == 4 ? r.seconds(cells[3], r.columns[3]) : 0.0;
  store(p, r, block, f, b, rc);
}

void check_complete(const ComputeProfile& p, const Reader& r) {
  bool layer = p.layer_forward_s.has_value();
  bool attn = p.attention_forward_s.has_value(), mlp = p.mlp_forward_s.has_value();
  if (layer && (attn || mlp))
    r.fail("block", "give either a 'layer' row or 'attention' and 'mlp' rows, not both");
  if (!layer && !(attn && mlp))
    r.fail("block", "missing rows: give a 'layer' row, or both 'attention' and 'mlp' rows");
}

}  // namespace

ComputeProfile load_compute_profile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError({path, 0, ""}, "cannot open the compute profile (a CSV file)");
  ComputeProfile p;
  p.file = path;
  Reader r{path, {}, 0};
  std::set<std::string> seen;
  std::string raw;
  while (std::getline(in, raw)) {
    ++r.line;
    std::string text = trim(raw);
    if (text.empty() || text[0] == '#') continue;
    if (r.columns.empty()) read_header(r, text);
    else read_row(p, r, text, seen);
  }
  if (r.columns.empty()) {
    r.line = std::max(r.line, 1);
    r.fail("header", "empty profile; expected the header 'block,forward_ms,backward_ms[,recompute_ms]'");
  }
  check_complete(p, r);
  return p;
}

namespace {

// Splits a measured total between two blocks in the modelled proportions
// (half and half when the model gives nothing to go by).
void split_total(double total, double a_model, double b_model, double& a, double& b) {
  double sum = a_model + b_model;
  double share = sum > 0 ? a_model / sum : 0.5;
  a = total * share;
  b = total - a;
}

}  // namespace

LayerTimes apply_profile(const ComputeProfile& p, const LayerTimes& modelled) {
  LayerTimes t = modelled;
  if (p.layer_forward_s) {
    const LayerTimes& m = modelled;
    split_total(*p.layer_forward_s, m.attention_forward, m.mlp_forward, t.attention_forward, t.mlp_forward);
    split_total(*p.layer_backward_s, m.attention_backward, m.mlp_backward, t.attention_backward,
                t.mlp_backward);
    bool has_rc = m.recompute() > 0;
    split_total(p.layer_recompute_s.value_or(0), has_rc ? m.attention_recompute : m.attention_forward,
                has_rc ? m.mlp_recompute : m.mlp_forward, t.attention_recompute, t.mlp_recompute);
    return t;
  }
  if (p.attention_forward_s) {
    t.attention_forward = *p.attention_forward_s;
    t.attention_backward = p.attention_backward_s.value_or(0);
    t.attention_recompute = p.attention_recompute_s.value_or(0);
  }
  if (p.mlp_forward_s) {
    t.mlp_forward = *p.mlp_forward_s;
    t.mlp_backward = p.mlp_backward_s.value_or(0);
    t.mlp_recompute = p.mlp_recompute_s.value_or(0);
  }
  return t;
}

EdgeTimes apply_profile(const ComputeProfile& p, const EdgeTimes& modelled) {
  EdgeTimes t = modelled;
  if (p.embedding_forward_s) {
    t.embedding_forward = *p.embedding_forward_s;
    t.embedding_backward = p.embedding_backward_s.value_or(0);
  }
  if (p.output_forward_s) {
    t.output_forward = *p.output_forward_s;
    t.output_backward = p.output_backward_s.value_or(0);
  }
  return t;
}

}  // namespace trainsim
