// An nccl-tests style table of one collective on a cluster card (`trainsim
// collective`, `trainsim.collective` in Python): the time, algorithm and bus
// bandwidth at each message size from `min` to `max`, doubling, predicted by
// NCCL's tuner model (analytical) or, with several concurrent groups on
// disjoint GPUs, by the flow network (group 0 shown).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/load/zoo.hpp"
#include "sim/net/collective.hpp"
#include "sim/spec/cluster_spec.hpp"

namespace trainsim {

struct CollectiveTableRequest {
  std::string op = "all_reduce";  // all_reduce | all_gather | ... (parse_collective_op)
  int gpus = 8;                   // GPUs in a group, spread evenly over `nodes`
  int nodes = 0;                  // 0: the fewest nodes that hold all groups
  std::string min = "8";          // sizes: bytes, K/M/G binary (as nccl-tests -b/-e), or "8GiB"
  std::string max = "8G";
  std::string algo;    // "" = the tuner's choice; ring | tree | nvls | hierarchical
  std::string proto;   // "" = the tuner's choice; LL | LL128 | Simple (or lower case)
  int concurrent = 1;  // identical groups at once (flow mode when > 1)
};

struct CollectiveRow {
  double size_bytes = 0;
  double time_us = 0;
  double algbw_GBps = 0;
  double busbw_GBps = 0;
  std::string algorithm;
  std::string protocol;
};

struct CollectiveTable {
  CollectiveOp op = CollectiveOp::all_reduce;
  int gpus = 0;
  int nodes = 0;
  int concurrent = 1;
  std::string cluster;  // the card's name
  std::vector<CollectiveRow> rows;
  double avg_busbw_GBps = 0;  // mean over the rows (nccl-tests' "Avg bus bandwidth")
};

// The cluster card `name` (zoo name or path), as `--cluster` reads it.
ClusterSpec collective_cluster(const std::string& name, const Zoo& zoo);

// Every size of the table. Throws ConfigError naming the flag (--op, --gpus,
// --nodes, --min, --max, --algo, --proto, --concurrent) for a bad request or a
// forced algorithm or protocol the group cannot run.
CollectiveTable collective_table(const ClusterSpec& c, const CollectiveTableRequest& r);

// The `--json` document: op, gpus, nodes, cluster, rows, avg_busbw_GBps.
nlohmann::json collective_json(const CollectiveTable& t);

}  // namespace trainsim
