// [parallelism] and the batch keys of [training] (titan_config.hpp).
#include <algorithm>
#include <cmath>

#include "sim/import/torchtitan/titan_reader.hpp"
#include "sim/spec/limits.hpp"

namespace trainsim::titan {
namespace {

const std::string P = "parallelism.";
std::string str(long long v) { return std::to_string(v); }

// A degree >= 1; absent: torchtitan's default 1 (a tool default: yields to the
// scenario). A command-line override is the degree the run uses.
long long degree(Reader& r, const std::string& name, const std::string& key) {
  auto v = r.integer(P + name, 1, kMaxParallel);
  if (v)
    r.set(key, str(*v), P + name);
  else
    r.set_default(key, "1", P + name, "torchtitan's default " + name + " = 1");
  auto o = r.ctx().overrides.find(key);
  return o != r.ctx().overrides.end() ? o->second : v.value_or(1);
}

// data_parallel_shard_degree: -1 = the ranks left after replicate x tp x pp x cp
// (torchtitan/distributed/parallel_dims.py ParallelDims._validate), which also
// asserts that the degrees multiply to the world size.
long long shard_degree(Reader& r, long long rest) {
  const std::string key = P + "data_parallel_shard_degree";
  long long shard = -1;  // torchtitan's default
  if (r.has(key)) shard = *r.integer(key, -1, kMaxParallel);
  if (auto o = r.ctx().overrides.find("parallel.dp_shard"); o != r.ctx().overrides.end()) shard = o->second;
  if (shard == 0 || shard < -1) r.fail(key, "dp_shard must be -1 or >= 1 (torchtitan's ParallelDims); found 0");
  const long long world = r.ctx().gpus;
  if (shard == -1) {
    shard = world / rest;
    if (shard < 1)
      r.fail(key, "data_parallel_shard_degree -1 takes the ranks left after replicate x tp x pp x cp = " + str(rest) +
                      ", but the scenario has only " + str(world) + " GPUs; give more nodes or lower the degrees");
    r.assume("torchtitan data_parallel_shard_degree -1 -> " + str(shard) + " = " + str(world) +
             " GPUs / (replicate x tp x pp x cp = " + str(rest) + ")");
  }
  if (shard * rest != world)
    r.fail(key, "Invalid parallel dims: dp_replicate x dp_shard(" + str(shard) +
                    ") x cp x tp x pp = " + str(shard * rest) + " != WORLD_SIZE(" + str(world) +
                    ") (torchtitan's ParallelDims rule; WORLD_SIZE is the scenario's GPUs: set nodes/gpus to match, "
                    "or data_parallel_shard_degree = -1)");
  return shard;
}

// pipeline_parallel_schedule -> parallel.schedule and parallel.vp: single-stage
// schedules hold one stage per rank, looped ones 2 unless
// pipeline_parallel_layers_per_stage says (torchtitan/distributed/pipeline_parallel.py
// pipeline_llm, with its two errors).
long long schedule(Reader& r, long long pp) {
  const std::string key = P + "pipeline_parallel_schedule";
  const std::string name = r.string(key).value_or("1F1B");
  std::string ours;
  bool looped = false;
  if (name == "1F1B") ours = "1f1b";
  if (name == "GPipe") ours = "gpipe";
  if (name == "Interleaved1F1B") ours = "interleaved-1f1b", looped = true;
  if (ours.empty())
    r.fail(key, "pipeline schedule '" + name +
                    "' is not modelled; trainsim models torchtitan's 1F1B, GPipe and Interleaved1F1B (PyTorch "
                    "torch/distributed/pipelining/schedules.py also has LoopedBFS, InterleavedZeroBubble, "
                    "ZBVZeroBubble, DualPipeV)");
  r.set("parallel.schedule", ours, r.has(key) ? key : P + "pipeline_parallel_degree",
        r.has(key) ? "" : "torchtitan's default schedule 1F1B");
  long long stages_per_rank = looped ? 2 : 1;
  const std::string lps_key = P + "pipeline_parallel_layers_per_stage";
  if (auto lps = r.integer(lps_key, 1, kMaxLayers)) {
    long long first = r.integer(P + "pipeline_parallel_first_stage_less_layers", 0, kMaxLayers).value_or(1);
    long long last = r.integer(P + "pipeline_parallel_last_stage_less_layers", 0, kMaxLayers).value_or(1);
    long long stages = (r.ctx().layers + first + last + *lps - 1) / *lps;
    if (stages % pp != 0)
      r.fail(lps_key, "Number of virtual stages (" + str(stages) + ") must be divisible by pipeline parallel size (" +
                          str(pp) + ") (torchtitan's pipeline_llm; " + str(r.ctx().layers) + " layers + " + str(first) +
                          " + " + str(last) + " for embedding and output)");
    stages_per_rank = stages / pp;
    if (!looped && stages_per_rank != 1)
      r.fail(lps_key, "Single stage schedule requires exactly 1 stage per rank, but got " + str(stages_per_rank) +
                          " (torchtitan's pipeline_llm)");
    if (looped && stages_per_rank < 2)
      r.fail(lps_key, "Multi-stage schedule requires at least 2 stages per rank, but got " + str(stages_per_rank) +
                          " (torchtitan's pipeline_llm)");
  }
  r.set("parallel.vp", str(stages_per_rank), r.has(lps_key) ? lps_key : key,
        looped ? "stages per rank of the looped schedule" : "one stage per rank");
  return stages_per_rank;
}

// torchtitan's split counts the embedding as first_stage_less_layers and the
// output as last_stage_less_layers layers (default 1 each:
// generate_llm_fqn_per_model_part), as parallel.embedding_in_pp_split does with 1.
void stage_split(Reader& r) {
  const std::string fk = P + "pipeline_parallel_first_stage_less_layers",
                    lk = P + "pipeline_parallel_last_stage_less_layers";
  long long first = r.integer(fk, 0, kMaxLayers).value_or(1), last = r.integer(lk, 0, kMaxLayers).value_or(1);
  if (first == last && first <= 1) {
    r.set("parallel.embedding_in_pp_split", first == 1 ? "true" : "false",
          r.has(fk) ? fk : P + "pipeline_parallel_degree",
          first == 1 ? "torchtitan counts the embedding and the output as one layer each" : "");
    return;
  }
  r.set("parallel.embedding_in_pp_split", "true", fk, "approximated: trainsim counts one layer each");
  r.warn(r.at(fk).file + ": first/last_stage_less_layers " + str(first) + "/" + str(last) +
         " are counted as one layer each (parallel.embedding_in_pp_split)");
}

}  // namespace

Layout read_parallelism(Reader& r) {
  r.section("parallelism",
            {"data_parallel_replicate_degree", "data_parallel_shard_degree", "fsdp_reshard_after_forward",
             "tensor_parallel_degree", "enable_async_tensor_parallel", "pipeline_parallel_degree",
             "pipeline_parallel_schedule", "pipeline_parallel_layers_per_stage", "pipeline_parallel_microbatch_size",
             "pipeline_parallel_first_stage_less_layers", "pipeline_parallel_last_stage_less_layers",
             "context_parallel_degree", "expert_parallel_degree", "expert_tensor_parallel_degree"});
  if (r.integer(P + "expert_parallel_degree", 1, kMaxParallel).value_or(1) > 1)
    r.fail(P + "expert_parallel_degree", "expert parallelism: trainsim models dense models only");
  const long long rep = degree(r, "data_parallel_replicate_degree", "parallel.dp_replicate");
  const long long tp = degree(r, "tensor_parallel_degree", "parallel.tp");
  const long long pp = degree(r, "pipeline_parallel_degree", "parallel.pp");
  const long long cp = degree(r, "context_parallel_degree", "parallel.cp");
  const long long shard = shard_degree(r, rep * tp * pp * cp);
  const std::string sk = P + "data_parallel_shard_degree";
  r.set("parallel.dp_shard", str(shard), sk);
  r.set("parallel.dp", str(rep * shard), sk, "dp_replicate x dp_shard (torchtitan's batch mesh)");
  // FSDP is on when dp_shard or cp > 1 (ParallelDims.fsdp_enabled); fully_shard
  // over the dp_shard x cp mesh shards parameters, gradients and optimizer states
  // (torchtitan/models/llama3/infra/parallelize.py apply_fsdp); otherwise DDP.
  const bool fsdp = shard > 1 || cp > 1;
  r.set("parallel.zero_stage", fsdp ? "3" : "0", sk,
        fsdp ? "FSDP2 fully_shard over dp_shard x cp: parameters, gradients and optimizer states sharded"
             : "no sharding: DDP over the replicas, or none");
  // apply_tp: SequenceParallel on the norms and the loss (torchtitan/models/llama3/infra/parallelize.py).
  if (tp > 1) r.set("parallel.sequence_parallel", "true", P + "tensor_parallel_degree", "torchtitan's TP plan");
  long long vp = 1;
  if (pp > 1) {
    vp = schedule(r, pp);
    stage_split(r);
  }
  const std::string rk = P + "fsdp_reshard_after_forward";
  if (auto policy = r.string(rk)) {
    const std::string v = *policy == "default"  ? "auto"
                          : *policy == "always" ? "true"
                          : *policy == "never"  ? "false"
                                                : "";
    if (v.empty())
      r.fail(rk, "expected \"default\", \"always\" or \"never\" (torchtitan's choices), found \"" + *policy + "\"");
    r.set("parallel.reshard_after_forward", v, rk,
          v == "auto" ? "torchtitan's default: reshard unless PP (parallelize.py apply_fsdp)" : "");
  }
  return {rep * shard, pp, vp};
}

}  // namespace trainsim::titan
