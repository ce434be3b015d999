#include "sim/frontend/collective_table.hpp"

#include <cctype>
#include <memory>
#include <optional>

#include "sim/config/units.hpp"
#include "sim/core/error.hpp"
#include "sim/load/hardware_loader.hpp"
#include "sim/net/collective_flow.hpp"
#include "sim/spec/enum_names.hpp"
#include "sim/spec/limits.hpp"

namespace trainsim {
namespace {

// nccl-tests sizes: a bare number is bytes, K/M/G are binary (as nccl-tests' -b/-e);
// anything else goes through the units parser ("8GiB", "1MB").
double parse_size(const std::string& text, const char* flag) {
  try {
    if (!text.empty()) {
      char last = text.back();
      double mult = last == 'K' ? 1024.0 : last == 'M' ? 1048576.0 : last == 'G' ? 1073741824.0 : 0;
      if (mult > 0) return parse_quantity(text.substr(0, text.size() - 1), Dimension::count) * mult;
      if (text.find_first_not_of("0123456789") == std::string::npos) return std::stod(text);
    }
    return parse_quantity(text, Dimension::bytes);
  } catch (const std::exception& e) {
    throw ConfigError({flag, 0, ""}, std::string("'") + text +
                                         "' is not a message size; valid: 8, 1K, 64M, 8G (binary, "
                                         "as nccl-tests) or \"8GiB\", \"1MB\"");
  }
}

std::optional<NcclAlgo> parse_algo(const std::string& s) {
  if (s.empty()) return std::nullopt;
  if (auto a = enum_value<NcclAlgo>(s); a && *a != NcclAlgo::nvls_tree) return a;
  throw ConfigError({"--algo", 0, ""}, "'" + s + "' is not an algorithm; valid: ring, tree, nvls, hierarchical");
}

// The protocol's name in NCCL's spelling or in lower case (ll, ll128, simple).
std::optional<NcclProto> parse_proto(const std::string& s) {
  if (s.empty()) return std::nullopt;
  for (const auto& [name, proto] : EnumTable<NcclProto>::names) {
    std::string lower = name;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (s == name || s == lower) return proto;
  }
  throw ConfigError({"--proto", 0, ""}, "'" + s + "' is not a protocol; valid: LL, LL128, Simple");
}

// Group k: `per_node` GPUs on each of `nodes` nodes, local indices k·per_node
// onwards, so concurrent groups are disjoint and share the nodes' NICs.
std::vector<int> group_gpus(int k, int per_node, int nodes, int gpus_per_node) {
  std::vector<int> out;
  for (int n = 0; n < nodes; ++n)
    for (int i = 0; i < per_node; ++i) out.push_back(n * gpus_per_node + k * per_node + i);
  return out;
}

// Group 0's result when `k` groups run at once (flow mode).
CollectiveResult concurrent_result(const Topology& t, const CollectiveRequest& req, int per_node, int nodes, int k) {
  std::vector<GroupCollective> groups;
  for (int g = 0; g < k; ++g)
    groups.push_back({req.op, group_gpus(g, per_node, nodes, t.cluster().node.gpus), req.bytes});
  return simulate_collectives(t, groups, req.algo, req.proto)[0].result;
}

// A forced algorithm or protocol the group cannot run is bad input (exit 2).
CollectiveResult predict_or_config_error(const ClusterSpec& c, const CollectiveRequest& req, int nodes) {
  try {
    return predict_collective(c, req, nodes);
  } catch (const UnsupportedCollective& e) {  // named by the scenario key: name the flag instead
    throw ConfigError({e.where().key == "network.protocol" ? "--proto" : "--algo", 0, ""}, e.message());
  }
}

// The node count of the request; throws ConfigError for a group shape the cluster cannot hold.
int checked_nodes(const ClusterSpec& c, const CollectiveTableRequest& a) {
  if (a.concurrent < 1 || a.concurrent > c.node.gpus)
    throw ConfigError({"--concurrent", 0, ""}, std::to_string(a.concurrent) + " groups: need 1 to " +
                                                   std::to_string(c.node.gpus) + " (the GPUs of one node)");
  if (a.gpus < 2 || a.gpus > kMaxGpus)  // before any division by the node count derived from it
    throw ConfigError({"--gpus", 0, ""}, std::to_string(a.gpus) + " GPUs: a collective needs 2 to " +
                                             std::to_string(static_cast<long long>(kMaxGpus)) +
                                             " GPUs (docs/limits.md)");
  if (a.nodes < 0 || a.nodes > a.gpus)
    throw ConfigError({"--nodes", 0, ""}, std::to_string(a.nodes) + " nodes: need 1 to --gpus (" +
                                              std::to_string(a.gpus) + "), or leave it out");
  const int nodes = a.nodes > 0 ? a.nodes : (a.gpus * a.concurrent + c.node.gpus - 1) / c.node.gpus;
  const int per_node = a.gpus / nodes;
  if (a.gpus % nodes != 0 || per_node * a.concurrent > c.node.gpus)
    throw ConfigError({"--gpus", 0, ""}, std::to_string(a.gpus) + " GPUs on " + std::to_string(nodes) + " nodes x " +
                                             std::to_string(a.concurrent) +
                                             " groups: need at least 2, the same number on every node, and at most " +
                                             std::to_string(c.node.gpus) + " per node in all groups together");
  return nodes;
}

}  // namespace

ClusterSpec collective_cluster(const std::string& name, const Zoo& zoo) {
  auto file = zoo.resolve(ZooKind::cluster, name, "", {"--cluster", 0, ""});
  return load_cluster_card(file.string(), zoo);
}

CollectiveTable collective_table(const ClusterSpec& c, const CollectiveTableRequest& a) {
  CollectiveTable t;
  t.op = parse_collective_op(a.op, {"--op", 0, ""});
  t.gpus = a.gpus;
  t.nodes = checked_nodes(c, a);
  t.concurrent = a.concurrent;
  t.cluster = c.name;
  const int per_node = a.gpus / t.nodes;
  std::unique_ptr<Topology> topo;
  if (a.concurrent > 1) topo = build_topology(c, t.nodes);
  double lo = parse_size(a.min, "--min"), hi = parse_size(a.max, "--max");
  if (lo < 1 || hi < lo) throw ConfigError({"--max", 0, ""}, "need 1 <= --min <= --max");
  CollectiveRequest req{t.op, a.gpus, 0, parse_algo(a.algo), parse_proto(a.proto)};
  req.bytes = lo;
  predict_or_config_error(c, req, t.nodes);  // a forced algorithm the group cannot run fails first
  double sum = 0;
  for (double size = lo; size <= hi; size *= 2) {
    req.bytes = size;
    CollectiveResult r = a.concurrent > 1 ? concurrent_result(*topo, req, per_node, t.nodes, a.concurrent)
                                          : predict_or_config_error(c, req, t.nodes);
    const double algbw = r.time_s > 0 ? size / r.time_s / 1e9 : 0;
    const double busbw = algbw * busbw_factor(t.op, a.gpus);
    t.rows.push_back({size, r.time_s * 1e6, algbw, busbw, r.algorithm, r.protocol});
    sum += busbw;
  }
  t.avg_busbw_GBps = t.rows.empty() ? 0 : sum / static_cast<double>(t.rows.size());
  return t;
}

nlohmann::json collective_json(const CollectiveTable& t) {
  nlohmann::json rows = nlohmann::json::array();
  for (const CollectiveRow& r : t.rows)
    rows.push_back({{"size_bytes", r.size_bytes},
                    {"time_us", r.time_us},
                    {"algbw_GBps", r.algbw_GBps},
                    {"busbw_GBps", r.busbw_GBps},
                    {"algorithm", r.algorithm},
                    {"protocol", r.protocol}});
  return {{"op", to_string(t.op)}, {"gpus", t.gpus}, {"nodes", t.nodes},
          {"cluster", t.cluster},  {"rows", rows},   {"avg_busbw_GBps", t.avg_busbw_GBps}};
}

}  // namespace trainsim
