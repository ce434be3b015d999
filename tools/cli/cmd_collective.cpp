// `trainsim collective`: an nccl-tests style table of one collective on a cluster.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "sim/load/hardware_loader.hpp"
#include "sim/config/units.hpp"
#include "sim/net/collective.hpp"
#include "sim/spec/plausibility.hpp"
#include "sim/net/collective_flow.hpp"
#include "sim/spec/enum_names.hpp"
#include "sim/spec/limits.hpp"

namespace trainsim::cli {
namespace {

struct CollectiveArgs {
  std::string cluster;
  std::string op = "all_reduce";
  int gpus = 8;
  int nodes = 0;
  std::string min = "8";
  std::string max = "8G";
  std::string algo;
  std::string proto;
  int concurrent = 1;
  bool json = false;
};

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
CollectiveResult predict_or_usage_error(const ClusterSpec& c, const CollectiveRequest& req, int nodes) {
  try {
    return predict_collective(c, req, nodes);
  } catch (const UnsupportedCollective& e) {  // named by the scenario key: name the flag instead
    throw ConfigError({e.where().key == "network.protocol" ? "--proto" : "--algo", 0, ""}, e.message());
  }
}

// The JSON document, or nccl-tests' closing line after the table (src/common.cu,
// run(): "# Avg bus bandwidth    : %g %s", the mean busbw over the sizes; its
// pass/fail word is empty there unless NCCL_TESTS_MIN_BW is set, so the line
// ends in the space before it).
void print_end(const CollectiveArgs& a, CollectiveOp op, int nodes, const std::string& cluster,
               const nlohmann::json& rows) {
  double sum = 0;
  for (const auto& r : rows) sum += r["busbw_GBps"].get<double>();
  const double avg_busbw = rows.empty() ? 0 : sum / static_cast<double>(rows.size());
  if (a.json)
    std::cout << json_text(nlohmann::json{{"op", to_string(op)},
                                          {"gpus", a.gpus},
                                          {"nodes", nodes},
                                          {"cluster", cluster},
                                          {"rows", rows},
                                          {"avg_busbw_GBps", avg_busbw}})
              << "\n";
  else
    std::printf("# Avg bus bandwidth    : %g \n", avg_busbw);
}

void run_collective(const CollectiveArgs& a) {
  Zoo zoo = default_zoo();
  auto file = zoo.resolve(ZooKind::cluster, a.cluster, "", {"--cluster", 0, ""});
  ClusterSpec c = load_cluster_card(file.string(), zoo);
  for (const std::string& w : implausible_link_rates(c)) spdlog::warn("{}", w);
  const CollectiveOp op = parse_collective_op(a.op, {"--op", 0, ""});
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
  int nodes = a.nodes > 0 ? a.nodes : (a.gpus * a.concurrent + c.node.gpus - 1) / c.node.gpus;
  int per_node = a.gpus / nodes;
  if (a.gpus < 2 || a.gpus % nodes != 0 || per_node * a.concurrent > c.node.gpus)
    throw ConfigError({"--gpus", 0, ""}, std::to_string(a.gpus) + " GPUs on " + std::to_string(nodes) + " nodes x " +
                                             std::to_string(a.concurrent) +
                                             " groups: need at least 2, the same number on every node, and at most " +
                                             std::to_string(c.node.gpus) + " per node in all groups together");
  std::unique_ptr<Topology> topo;
  if (a.concurrent > 1) topo = build_topology(c, nodes);
  double lo = parse_size(a.min, "--min"), hi = parse_size(a.max, "--max");
  if (lo < 1 || hi < lo) throw ConfigError({"--max", 0, ""}, "need 1 <= --min <= --max");
  CollectiveRequest req{op, a.gpus, 0, parse_algo(a.algo), parse_proto(a.proto)};
  req.bytes = lo;
  predict_or_usage_error(c, req, nodes);  // a forced algorithm the group cannot run fails before any output
  nlohmann::json rows = nlohmann::json::array();
  if (!a.json) {
    std::printf(
        "# trainsim collective: %s on %d GPUs of %s (%d nodes), %s\n", to_string(op), a.gpus, c.name.c_str(), nodes,
        a.concurrent > 1
            ? ("flow mode, " + std::to_string(a.concurrent) + " concurrent groups on disjoint GPUs; group 0 shown")
                  .c_str()
            : "analytical (NCCL tuner choice, nccl_exec time)");
    std::printf("%12s %12s %6s %10s %12s %12s %10s %8s\n", "size(B)", "count", "type", "time(us)", "algbw(GB/s)",
                "busbw(GB/s)", "algorithm", "protocol");
  }
  for (double size = lo; size <= hi; size *= 2) {
    req.bytes = size;
    CollectiveResult r = a.concurrent > 1 ? concurrent_result(*topo, req, per_node, nodes, a.concurrent)
                                          : predict_or_usage_error(c, req, nodes);
    double algbw = r.time_s > 0 ? size / r.time_s / 1e9 : 0;
    double busbw = algbw * busbw_factor(op, a.gpus);
    rows.push_back({{"size_bytes", size},
                    {"time_us", r.time_s * 1e6},
                    {"algbw_GBps", algbw},
                    {"busbw_GBps", busbw},
                    {"algorithm", r.algorithm},
                    {"protocol", r.protocol}});
    if (!a.json) {
      std::cout << fmt::format("{:12.0f} {:12.0f} {:>6} {:10.2f} {:12.2f} {:12.2f} {:>10} {:>8}\n", size, size / 4,
                               "float", r.time_s * 1e6, algbw, busbw, r.algorithm, r.protocol);
    }
  }
  print_end(a, op, nodes, c.name, rows);
}

}  // namespace

void add_collective_command(CLI::App& app) {
  auto args = std::make_shared<CollectiveArgs>();
  CLI::App* cmd =
      app.add_subcommand("collective", "nccl-tests style table of one collective on a cluster (analytical)");
  cmd->add_option("--cluster", args->cluster, "a cluster in topologies/ or a path")->required();
  cmd->add_option("--op", args->op,
                  "all_reduce | all_gather | reduce_scatter | broadcast | reduce | all_to_all | send_recv");
  cmd->add_option("--gpus", args->gpus, "GPUs in the group, spread evenly over --nodes");
  cmd->add_option("--nodes", args->nodes, "nodes the group spans (default: the fewest that hold all groups)");
  cmd->add_option("--min", args->min, "smallest size, e.g. 8, 1K, 1M (binary, as nccl-tests -b)");
  cmd->add_option("--max", args->max, "largest size, e.g. 8G (binary, as nccl-tests -e); sizes step x2");
  cmd->add_option("--algo", args->algo,
                  "force an algorithm: ring | tree | nvls (as NCCL_ALGO) | hierarchical (intra-node, inter-node, "
                  "intra-node calls; never NCCL's own choice)");
  cmd->add_option("--proto", args->proto, "force a protocol: LL | LL128 | Simple (as NCCL_PROTO)");
  cmd->add_option("--concurrent", args->concurrent,
                  "run K identical collectives at once on disjoint groups (flow mode) to show contention");
  cmd->add_flag("--json", args->json, "print one JSON document instead of the table");
  cmd->callback([args] { run_collective(*args); });
}

}  // namespace trainsim::cli
