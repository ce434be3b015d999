// Measured compute profile CSV (compute_profile.hpp).
#include "sim/cost/compute_profile.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/spec/input_file.hpp"

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

// The profile field of a block name, or nullptr when the name is unknown.
std::optional<BlockTimes>* field_of(ComputeProfile& p, const std::string& block) {
  if (block == "layer") return &p.layer;
  if (block == "attention") return &p.attention;
  if (block == "mlp") return &p.mlp;
  if (block == "embedding") return &p.embedding;
  if (block == "output") return &p.output;
  return nullptr;
}

// Stores one row's times into the profile field of its block.
void store(ComputeProfile& p, const Reader& r, const std::string& block, const BlockTimes& t) {
  std::optional<BlockTimes>* field = field_of(p, block);
  if (!field) r.fail("block", "unknown block '" + block + "'; valid blocks: " + kBlocks);
  bool recomputable = block == "layer" || block == "attention" || block == "mlp";
  if (!recomputable && t.recompute_s > 0)
    r.fail("recompute_ms", "the " + block + " block is never recomputed; leave recompute_ms at 0");
  *field = t;
}

void read_row(ComputeProfile& p, Reader& r, const std::string& text, std::set<std::string>& seen) {
  std::vector<std::string> cells = split(text);
  if (cells.size() != r.columns.size())
    r.fail("row", "expected " + std::to_string(r.columns.size()) + " comma-separated values, got " +
                      std::to_string(cells.size()));
  const std::string& block = cells[0];
  if (!seen.insert(block).second)
    r.fail("block", "block '" + block + "' is given twice; give each block on one row only");
  BlockTimes t;
  t.forward_s = r.seconds(cells[1], r.columns[1]);
  t.backward_s = r.seconds(cells[2], r.columns[2]);
  t.recompute_s = cells.size() == 4 ? r.seconds(cells[3], r.columns[3]) : 0.0;
  store(p, r, block, t);
}

void check_complete(const ComputeProfile& p, const Reader& r) {
  bool layer = p.layer.has_value();
  bool attn = p.attention.has_value(), mlp = p.mlp.has_value();
  if (layer && (attn || mlp)) r.fail("block", "give either a 'layer' row or 'attention' and 'mlp' rows, not both");
  if (!layer && !(attn && mlp)) r.fail("block", "missing rows: give a 'layer' row, or both 'attention' and 'mlp' rows");
}

}  // namespace

ComputeProfile load_compute_profile(const std::string& path) {
  std::istringstream in(
      read_input_file(path,
                      "compute profile (give a path relative to the scenario file's folder, or absolute, of a "
                      "CSV file with the header "
                      "'block,forward_ms,backward_ms[,recompute_ms]' and one row per block: " +
                          std::string(kBlocks) + ")",
                      {path, 0, "training.compute_profile"}));
  ComputeProfile p;
  Reader r{path, {}, 0};
  std::set<std::string> seen;
  std::string raw;
  while (std::getline(in, raw)) {
    ++r.line;
    std::string text = trim(raw);
    if (text.empty() || text[0] == '#') continue;
    if (r.columns.empty())
      read_header(r, text);
    else
      read_row(p, r, text, seen);
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

// Measured times replace the modelled times; the FLOPs fields stay the model's.
LayerTimes apply_profile(const ComputeProfile& p, const LayerTimes& modelled) {
  LayerTimes t = modelled;
  if (p.layer) {
    const LayerTimes& m = modelled;
    split_total(p.layer->forward_s, m.attention_forward, m.mlp_forward, t.attention_forward, t.mlp_forward);
    split_total(p.layer->backward_s, m.attention_backward, m.mlp_backward, t.attention_backward, t.mlp_backward);
    bool has_rc = m.recompute() > 0;
    split_total(p.layer->recompute_s, has_rc ? m.attention_recompute : m.attention_forward,
                has_rc ? m.mlp_recompute : m.mlp_forward, t.attention_recompute, t.mlp_recompute);
    return t;
  }
  if (p.attention) {
    t.attention_forward = p.attention->forward_s;
    t.attention_backward = p.attention->backward_s;
    t.attention_recompute = p.attention->recompute_s;
  }
  if (p.mlp) {
    t.mlp_forward = p.mlp->forward_s;
    t.mlp_backward = p.mlp->backward_s;
    t.mlp_recompute = p.mlp->recompute_s;
  }
  return t;
}

EdgeTimes apply_profile(const ComputeProfile& p, const EdgeTimes& modelled) {
  EdgeTimes t = modelled;
  if (p.embedding) {
    t.embedding_forward = p.embedding->forward_s;
    t.embedding_backward = p.embedding->backward_s;
  }
  if (p.output) {
    t.output_forward = p.output->forward_s;
    t.output_backward = p.output->backward_s;
  }
  return t;
}

}  // namespace trainsim
