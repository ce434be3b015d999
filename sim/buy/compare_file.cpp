#include "sim/buy/compare_file.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/config/units.hpp"
#include "sim/config/yaml_read.hpp"
#include "sim/core/error.hpp"
#include "sim/spec/input_file.hpp"

namespace trainsim {
namespace {

KeyDef def(std::string path, ValueType type, std::optional<double> min, std::string help) {
  KeyDef k = KeyDef::of(std::move(path), type, Dimension::count);
  k.min = min;
  k.help = std::move(help);
  return k;
}

// The keys of one candidate (data table).
// clang-format off
std::vector<KeyDef> candidate_defs() {
  using V = ValueType;
  KeyDef bw = KeyDef::of("checkpoint.storage_bandwidth", V::quantity, Dimension::bandwidth);
  bw.min = 0;
  bw.help = "aggregate checkpoint write (and read) bandwidth of the job; default: the card's node.storage_bandwidth x nodes, else 1GB/s x nodes";
  KeyDef frac = def("power.busy_fraction", V::number, 0, "of TDP while kernels run (default 1)");
  frac.max = 1;
  KeyDef comm = def("power.comm_fraction", V::number, 0, "of TDP while waiting on communication (default 0.5)");
  comm.max = 1;
  KeyDef idle = def("power.idle_fraction", V::number, 0, "of TDP while idle (default 0.15)");
  idle.max = 1;
  return {
      def("name", V::string, std::nullopt, "label of the candidate; default: NODES x CLUSTER"),
      def("cluster", V::path, std::nullopt, "cluster card: a name in topologies/ or a path"),
      def("nodes", V::integer, 1, "nodes of the cluster; default: the card's"),
      def("price.per_gpu_hour", V::number, 0, "price of one GPU-hour (an example price, not a quote)"),
      def("price.purchase_per_gpu", V::number, 0, "purchase price per GPU (system share included), written off over amortisation_years"),
      def("price.amortisation_years", V::number, 0, "years over which the purchase is written off, in round-the-clock use"),
      def("price.per_kwh", V::number, 0, "electricity price per kWh of facility energy (default 0: in the hourly price)"),
      def("power.gpu_tdp_w", V::number, 0, "board power (TDP) of one GPU [W], from its datasheet"),
      def("power.node_overhead_w", V::number, 0, "power of one node beyond its GPUs [W]; default 575 W per GPU of the node (DGX H100)"),
      def("power.pue", V::number, 1, "power usage effectiveness of the facility (default 1.2)"),
      frac, comm, idle,
      def("failures_per_gpu_day", V::number, 0, "job interruptions per GPU-day (default: Llama 3's 466 in 54 days on 16,384 GPUs)"),
      bw,
      def("checkpoint.restart_s", V::number, 0, "time to relaunch the job beyond reading the checkpoint [s] (default 600)"),
  };
}
// clang-format on

struct Value {
  std::string text;
  int line = 0;
};

// Flattens a candidate's map into dotted keys, refusing unknown ones.
void flatten(const std::string& file, const YAML::Node& map, const std::string& prefix,
             std::map<std::string, Value>& out) {
  const KeyTable& table = candidate_keys();
  for (auto it = map.begin(); it != map.end(); ++it) {
    const int line = it->first.Mark().line + 1;
    const std::string key = prefix.empty() ? it->first.Scalar() : prefix + "." + it->first.Scalar();
    if (table.find(key)) {
      if (!it->second.IsScalar()) throw ConfigError({file, line, key}, "expected a single value");
      out[key] = {it->second.Scalar(), line};
    } else if (table.is_section(key) && it->second.IsMap()) {
      flatten(file, it->second, key, out);
    } else {
      throw ConfigError({file, line, key}, "unknown key of a candidate; did you mean '" + table.nearest(key) +
                                               "'? (docs/compare.md lists the candidate keys)");
    }
  }
}

class CandidateReader {
 public:
  CandidateReader(const std::string& file, const YAML::Node& node) : file_(file) {
    line_ = node.Mark().line + 1;
    if (!node.IsMap()) throw ConfigError({file, line_, "candidates"}, "each candidate is a map (cluster, nodes, ...)");
    flatten(file, node, "", values_);
  }

  bool given(const std::string& key) const { return values_.count(key) != 0; }
  SourceLocation where(const std::string& key) const {
    auto it = values_.find(key);
    return {file_, it == values_.end() ? line_ : it->second.line, key};
  }
  std::string text(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end()) throw ConfigError(where(key), "is required for every candidate");
    return it->second.text;
  }
  double number(const std::string& key, double fallback) const {
    if (!given(key)) return fallback;
    const KeyDef& d = *candidate_keys().find(key);
    double v = 0;
    try {
      v = d.type == ValueType::quantity ? parse_quantity(text(key), d.dim)
                                        : parse_quantity(text(key), Dimension::count);
    } catch (const UnitError& e) {
      throw ConfigError(where(key), std::string(e.what()) + "; expected " + d.describe_type());
    }
    const bool whole = d.type != ValueType::integer || v == std::floor(v);
    if (!whole || (d.min && v < *d.min) || (d.max && v > *d.max))
      throw ConfigError(where(key), "'" + text(key) + "' is out of range: expected " + d.describe_type());
    return v;
  }
  int line() const { return line_; }

 private:
  std::string file_;
  int line_ = 0;
  std::map<std::string, Value> values_;
};

void read_price(const CandidateReader& r, Candidate& c) {
  const bool hourly = r.given("price.per_gpu_hour"), bought = r.given("price.purchase_per_gpu");
  if (hourly == bought)
    throw ConfigError(r.where(hourly ? "price.purchase_per_gpu" : "price.per_gpu_hour"),
                      "give one price: price.per_gpu_hour, or price.purchase_per_gpu with price.amortisation_years");
  c.per_gpu_hour = r.number("price.per_gpu_hour", 0);
  c.purchased = bought;
  if (bought) {
    c.purchase_per_gpu = r.number("price.purchase_per_gpu", 0);
    c.amortisation_years = r.number("price.amortisation_years", 0);
    if (!(c.amortisation_years > 0))
      throw ConfigError(r.where("price.amortisation_years"), "a purchase price needs amortisation_years > 0");
    c.per_gpu_hour = hourly_from_purchase(c.purchase_per_gpu, c.amortisation_years);
  } else if (r.given("price.amortisation_years")) {
    throw ConfigError(r.where("price.amortisation_years"), "is for price.purchase_per_gpu; drop it or give that");
  }
  c.per_kwh = r.number("price.per_kwh", 0);
}

Candidate read_candidate(const std::string& file, const YAML::Node& node) {
  CandidateReader r(file, node);
  Candidate c;
  c.line = r.line();
  c.cluster = r.text("cluster");
  c.cluster_line = r.where("cluster").line;
  c.nodes_line = r.where("nodes").line;
  if (r.given("nodes")) c.nodes = static_cast<int>(r.number("nodes", 0));
  c.name = r.given("name") ? r.text("name") : (c.nodes ? std::to_string(*c.nodes) + " x " : "") + c.cluster;
  read_price(r, c);
  c.power.gpu_tdp_w = r.number("power.gpu_tdp_w", 0);
  if (!(c.power.gpu_tdp_w > 0))
    throw ConfigError(r.where("power.gpu_tdp_w"), "give the GPU's board power in watts (its datasheet's TDP), > 0");
  c.node_overhead_given = r.given("power.node_overhead_w");
  c.power.node_overhead_w = r.number("power.node_overhead_w", 0);
  c.power.pue = r.number("power.pue", 1.2);
  c.power.busy_fraction = r.number("power.busy_fraction", 1);
  c.power.comm_fraction = r.number("power.comm_fraction", 0.5);
  c.power.idle_fraction = r.number("power.idle_fraction", 0.15);
  c.failures_given = r.given("failures_per_gpu_day");
  c.failures_per_gpu_day = r.number("failures_per_gpu_day", kLlama3InterruptionsPerGpuDay);
  if (r.given("checkpoint.storage_bandwidth")) {
    c.storage_bandwidth = r.number("checkpoint.storage_bandwidth", 0);
    if (!(*c.storage_bandwidth > 0))
      throw ConfigError(r.where("checkpoint.storage_bandwidth"), "must be a positive bandwidth, e.g. \"100GB/s\"");
  }
  c.restart_given = r.given("checkpoint.restart_s");
  c.restart_overhead_s = r.number("checkpoint.restart_s", kDefaultRestartOverheadS);
  return c;
}

// The compare file's own top-level keys; the rest are the job's scenario keys.
const std::vector<std::string>& own_keys() {
  static const std::vector<std::string> keys = {"title", "tokens", "candidates"};
  return keys;
}

void refuse_hardware_keys(const CompareSpec& spec) {
  for (const char* key : {"cluster", "nodes", "gpus"}) {
    bool given = spec.search.values.count(key) != 0;
    for (const auto& a : spec.search.axes) given = given || a.key == key;
    for (const auto& g : spec.search.zips)
      for (const auto& a : g) given = given || a.key == key;
    if (given)
      throw ConfigError({spec.file, spec.search.lines.at(key), key},
                        "belongs in each candidate of a compare file (candidates: [{cluster: ..., nodes: ...}])");
  }
}

CompareSpec parse(const std::string& text, const std::string& file) {
  CompareSpec spec;
  spec.file = file;
  const YAML::Node root = load_yaml(text, file);
  if (!root.IsMap()) throw ConfigError({file, 1, ""}, "expected a map: model, tokens, training, candidates");
  const YAML::Node tokens = root["tokens"], candidates = root["candidates"], title = root["title"];
  if (!tokens) throw ConfigError({file, 1, "tokens"}, "is required: the tokens to train, e.g. tokens: 2T");
  SourceLocation at{file, tokens.Mark().line + 1, "tokens"};
  try {
    spec.tokens = tokens.IsScalar() ? parse_quantity(tokens.Scalar(), Dimension::count) : 0;
  } catch (const UnitError& e) {
    throw ConfigError(at, e.what());
  }
  if (!(spec.tokens >= 1)) throw ConfigError(at, "must be a token count >= 1, e.g. 2T or 15e12");
  if (title) spec.title = title.IsScalar() ? title.Scalar() : "";
  if (!candidates || !candidates.IsSequence() || candidates.size() == 0)
    throw ConfigError({file, candidates ? candidates.Mark().line + 1 : 1, "candidates"},
                      "is required: a list of candidates, each a map with cluster, nodes, price and power");
  spec.search = load_sweep_string(text, file, own_keys());
  refuse_hardware_keys(spec);
  if (!spec.search.lines.count("search")) spec.search.mode = SweepMode::all;
  for (const auto& node : candidates) spec.candidates.push_back(read_candidate(file, node));
  return spec;
}

}  // namespace

const KeyTable& candidate_keys() {
  static const KeyTable table("compare candidate", candidate_defs());
  return table;
}

CompareSpec load_compare_file(const std::string& path) { return parse(read_input_file(path, "compare file"), path); }

CompareSpec load_compare_string(const std::string& yaml, const std::string& file) { return parse(yaml, file); }

SweepSpec candidate_search(const CompareSpec& spec, const Candidate& c) {
  SweepSpec s = spec.search;
  set_sweep_value(s, "cluster", c.cluster, c.cluster_line);
  if (c.nodes) set_sweep_value(s, "nodes", std::to_string(*c.nodes), c.nodes_line);
  return s;
}

}  // namespace trainsim
