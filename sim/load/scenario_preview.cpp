#include "sim/load/scenario_preview.hpp"

#include <algorithm>

#include "sim/load/doc_read.hpp"
#include "sim/load/hardware_loader.hpp"
#include "sim/config/model_check.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/spec/limits.hpp"

namespace trainsim {
namespace {

// nodes and gpus: explicit values win; else derive from dp when given; else the card's size.
// Counts are formed in 64 bits and checked against kMaxGpus before they are narrowed.
void resolve_size(const ConfigDoc& d, Scenario& s) {
  const long long per_node = s.cluster.node.gpus;
  long long gpus = 0, nodes = 0;
  std::string key = "gpus";
  if (d.given("gpus")) {
    gpus = d.get_int("gpus");
    nodes = d.given("nodes") ? d.get_int("nodes") : (gpus + per_node - 1) / per_node;
  } else if (d.given("nodes")) {
    nodes = d.get_int("nodes");
    gpus = nodes * per_node;
    key = "nodes";
  } else if (d.given("parallel.dp")) {
    gpus = d.get_int("parallel.dp") * s.parallel.tp * s.parallel.pp * s.parallel.cp;  // each <= 2^18: fits
    nodes = (gpus + per_node - 1) / per_node;
    key = "parallel.dp";
  } else if (d.given("parallel.dp_shard")) {  // HSDP: dp = dp_shard x dp_replicate
    gpus = d.get_int("parallel.dp_shard") * d.get_int("parallel.dp_replicate");
    if (gpus <= static_cast<long long>(kMaxGpus)) gpus *= 1LL * s.parallel.tp * s.parallel.pp * s.parallel.cp;
    nodes = (gpus + per_node - 1) / per_node;
    key = "parallel.dp_shard";
  } else {
    nodes = s.cluster.nodes;
    gpus = nodes * per_node;
    key = "cluster";
  }
  if (gpus > static_cast<long long>(kMaxGpus))
    d.fail(key, "the scenario would use " + std::to_string(gpus) + " GPUs; trainsim accepts at most " +
                    std::to_string(static_cast<long long>(kMaxGpus)) + " (docs/limits.md); lower gpus, nodes or dp");
  if (gpus > nodes * per_node)
    d.fail("gpus", std::to_string(gpus) + " GPUs do not fit on " + std::to_string(nodes) + " nodes of " +
                       std::to_string(per_node) + " GPUs; raise nodes to " +
                       std::to_string((gpus + per_node - 1) / per_node) + " or lower gpus");
  s.gpus = static_cast<int>(gpus);
  s.nodes = static_cast<int>(nodes);
}

void read_parallel(const ConfigDoc& d, Scenario& s) {
  ParallelPlan& p = s.parallel;
  p.tp = get_i(d, "parallel.tp");
  p.pp = get_i(d, "parallel.pp");
  p.cp = get_i(d, "parallel.cp");
  p.vp = get_i(d, "parallel.vp");
  p.sequence_parallel = d.get_bool("parallel.sequence_parallel");
  p.zero_stage = get_i(d, "parallel.zero_stage");
  p.embedding_in_pp_split = d.get_bool("parallel.embedding_in_pp_split");
  p.ep = get_i(d, "parallel.ep");
  if (d.given("parallel.etp")) p.etp = get_i(d, "parallel.etp");  // else 0: tp
  try {
    p.order = parse_rank_order(d.get_string("parallel.order"));
  } catch (const ConfigError& e) {
    d.fail("parallel.order", e.message());
  }
  p.pipeline_engine = pick<PipelineEngine>(d, "parallel.pipeline_engine");
  if (d.given("parallel.schedule") || p.vp == 1)
    p.schedule = pick<Schedule>(d, "parallel.schedule");
  else
    p.schedule = Schedule::interleaved_1f1b;  // vp > 1 implies Megatron's interleaved schedule
}

// HSDP: dp = dp_shard x dp_replicate; the one not given is derived from dp
// (sharding.hpp). Errors name the key and say what would be valid.
void derive_hsdp(const ConfigDoc& d, ParallelPlan& p) {
  const std::string dp = std::to_string(p.dp);
  p.dp_replicate = get_i(d, "parallel.dp_replicate");
  const bool shard = d.given("parallel.dp_shard"), replicate = d.given("parallel.dp_replicate");
  if (shard) p.dp_shard = get_i(d, "parallel.dp_shard");
  if (shard && replicate && 1LL * p.dp_shard * p.dp_replicate != p.dp)
    d.fail("parallel.dp_shard", "dp_shard x dp_replicate = " + std::to_string(p.dp_shard) + " x " +
                                    std::to_string(p.dp_replicate) + " but dp = " + dp +
                                    "; give dp_shard x dp_replicate = dp (or leave one of them out to derive it)");
  if (shard && p.dp % p.dp_shard != 0)
    d.fail("parallel.dp_shard",
           "dp_shard=" + std::to_string(p.dp_shard) + " does not divide dp = " + dp + "; use a divisor of " + dp);
  if (!shard && p.dp % p.dp_replicate != 0)
    d.fail("parallel.dp_replicate", "dp_replicate=" + std::to_string(p.dp_replicate) + " does not divide dp = " + dp +
                                        "; use a divisor of " + dp);
  if (shard)
    p.dp_replicate = p.dp / p.dp_shard;
  else if (replicate)
    p.dp_shard = p.dp / p.dp_replicate;  // else 0: derived, dp (sharding.hpp shard_dp)
}

void derive_dp(const ConfigDoc& d, Scenario& s) {
  ParallelPlan& p = s.parallel;
  if (d.given("parallel.dp")) {
    p.dp = get_i(d, "parallel.dp");
    return;
  }
  const long long model_parallel = 1LL * p.tp * p.pp * p.cp;  // each <= 2^18: fits in 64 bits
  if (s.gpus % model_parallel != 0)
    d.fail("parallel.tp", "tp x pp x cp = " + std::to_string(model_parallel) + " does not divide the " +
                              std::to_string(s.gpus) +
                              " GPUs, so dp cannot be derived; choose sizes whose "
                              "product divides the GPU count");
  p.dp = static_cast<int>(s.gpus / model_parallel);
}

ModelSpec scenario_model_any(const ConfigDoc& d, const Zoo& zoo, const std::optional<ModelSpec>& flag_model) {
  if (flag_model) {
    if (d.given("model")) return load_model_ref(d, "model", zoo);  // apply_imports checked the flags against it
    return *flag_model;
  }
  if (!d.given("model"))
    d.fail("model",
           "missing required key (a name in models/, a path to a model YAML or a Hugging Face config.json); "
           "or give the model's dimensions as Megatron-LM flags in megatron_args");
  return load_model_ref(d, "model", zoo);
}

}  // namespace

void refuse_unsimulated(const ConfigDoc& d, const ModelSpec& m, bool memory_only) {
  const std::string ref = d.given("model") && !d.is_inline("model") ? d.get_string("model") : m.name;
  const std::string refusal = memory_only ? memory_refusal(m, ref) : simulation_refusal(m, ref);
  if (!refusal.empty()) d.fail("model", refusal);
}

Scenario scenario_preview(const ConfigDoc& d, const Zoo& zoo, const std::optional<ModelSpec>& flag_model) {
  Scenario s;
  s.file = d.file();
  s.model = scenario_model_any(d, zoo, flag_model);
  auto cluster_file = zoo.resolve(ZooKind::cluster, d.get_string("cluster"), d.file(), d.where("cluster"));
  s.cluster = load_cluster_card(cluster_file.string(), zoo);
  read_parallel(d, s);
  resolve_size(d, s);
  derive_dp(d, s);
  derive_hsdp(d, s.parallel);
  return s;
}

}  // namespace trainsim
