// `trainsim collective`: an nccl-tests style table of one collective on a cluster.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "sim/frontend/collective_table.hpp"
#include "sim/spec/plausibility.hpp"

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

// nccl-tests' closing line after the table (src/common.cu, run(): "# Avg bus
// bandwidth    : %g %s", the mean busbw over the sizes; its pass/fail word is
// empty there unless NCCL_TESTS_MIN_BW is set, so the line ends in the space
// before it), or the JSON document.
void run_collective(const CollectiveArgs& a) {
  const ClusterSpec c = collective_cluster(a.cluster, default_zoo());
  for (const std::string& w : implausible_link_rates(c)) spdlog::warn("{}", w);
  const CollectiveTable t = collective_table(c, {a.op, a.gpus, a.nodes, a.min, a.max, a.algo, a.proto, a.concurrent});
  if (a.json) {
    std::cout << json_text(collective_json(t)) << "\n";
    return;
  }
  std::printf(
      "# trainsim collective: %s on %d GPUs of %s (%d nodes), %s\n", to_string(t.op), t.gpus, c.name.c_str(), t.nodes,
      a.concurrent > 1
          ? ("flow mode, " + std::to_string(a.concurrent) + " concurrent groups on disjoint GPUs; group 0 shown")
                .c_str()
          : "analytical (NCCL tuner choice, nccl_exec time)");
  std::printf("%12s %12s %6s %10s %12s %12s %10s %8s\n", "size(B)", "count", "type", "time(us)", "algbw(GB/s)",
              "busbw(GB/s)", "algorithm", "protocol");
  for (const CollectiveRow& r : t.rows)
    std::cout << fmt::format("{:12.0f} {:12.0f} {:>6} {:10.2f} {:12.2f} {:12.2f} {:>10} {:>8}\n", r.size_bytes,
                             r.size_bytes / 4, "float", r.time_us, r.algbw_GBps, r.busbw_GBps, r.algorithm, r.protocol);
  std::printf("# Avg bus bandwidth    : %g \n", t.avg_busbw_GBps);
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
