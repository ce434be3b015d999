// A compare file (docs/compare.md): one model and training job against a list
// of candidate clusters, each with its price, power figures and failure rate.
//
//   title: "Llama 3 70B, 2T tokens"
//   model: llama-3-70b                  # any scenario key but cluster, nodes, gpus
//   tokens: 2T                          # tokens to train
//   training: {seq_len: 8192, global_batch: [512, 1024], precision: bf16}
//   search_options: {max_micro_batch: 4}
//   candidates:
//     - name: "64 x H100"
//       cluster: dgx-h100-80gb
//       nodes: 8
//       price: {per_gpu_hour: 3.0}      # or {purchase_per_gpu: 30000, amortisation_years: 4}; per_kwh
//       power: {gpu_tdp_w: 700, node_overhead_w: 4600, pue: 1.2}
//       failures_per_gpu_day: 5.27e-4
//       checkpoint: {storage_bandwidth: "16GB/s", restart_s: 600}
//
// The scenario keys (a value, a list or a range, as in a sweep file) become
// each candidate's plan search: `search: all` unless the file says `search:
// grid`. Every key is checked before anything is simulated; errors are
// ConfigError naming the file, line and key, with the nearest valid key.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/buy/economics.hpp"
#include "sim/config/keys.hpp"
#include "sim/sweep/sweep_file.hpp"

namespace trainsim {

// Meta's Llama 3 pre-training (arXiv 2407.21783, Table 5): 466 job
// interruptions in 54 days on 16,384 H100 GPUs. Per GPU-day.
inline constexpr double kLlama3InterruptionsPerGpuDay = 466.0 / (54.0 * 16384.0);
// Checkpoint storage write bandwidth per node when neither the candidate nor
// the cluster card (node.storage_bandwidth) gives one: Llama 3's Tectonic store
// sustained 2 TB/s for 16,384 GPUs (2,048 nodes of 8), about 1 GB/s a node.
inline constexpr double kDefaultStorageBandwidthPerNode = 2e12 / 2048.0;
// Time to relaunch a job, beyond reading its checkpoint (an assumption).
inline constexpr double kDefaultRestartOverheadS = 600;
// Checkpoint bytes per parameter: 16-bit weights (2) + FP32 master weights,
// Adam's first and second moments (4 + 4 + 4), as Megatron-LM saves them.
inline constexpr double kCheckpointBytesPerParam = 14;

struct Candidate {
  std::string name;
  std::string cluster;
  std::optional<int> nodes;  // unset: the card's node count
  int line = 0;              // of the candidate in the compare file
  int cluster_line = 0;      // of its cluster and nodes keys
  int nodes_line = 0;
  // Price: per GPU-hour, or a purchase price per GPU written off over years.
  double per_gpu_hour = 0;
  bool purchased = false;
  double purchase_per_gpu = 0;
  double amortisation_years = 0;
  double per_kwh = 0;  // electricity, when not in the hourly price
  PowerModel power;
  bool node_overhead_given = false;  // else a default (docs/compare.md)
  double failures_per_gpu_day = kLlama3InterruptionsPerGpuDay;
  bool failures_given = false;
  std::optional<double> storage_bandwidth;  // aggregate write bandwidth [B/s]; unset: the card's or the default
  double restart_overhead_s = kDefaultRestartOverheadS;
  bool restart_given = false;
};

struct CompareSpec {
  std::string file;
  std::string title;
  double tokens = 0;
  SweepSpec search;  // the job: scenario keys and axes, no cluster or nodes
  std::vector<Candidate> candidates;
};

// The keys of one candidate (for messages and docs/compare.md).
const KeyTable& candidate_keys();

// Reads and checks a compare file. Throws ConfigError (file:line: key: message).
CompareSpec load_compare_file(const std::string& path);
CompareSpec load_compare_string(const std::string& yaml, const std::string& file);

// The candidate's plan search: the job's sweep with its cluster and nodes.
SweepSpec candidate_search(const CompareSpec& spec, const Candidate& c);

}  // namespace trainsim
