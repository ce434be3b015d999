// Sharded data parallelism as FSDP2 / torchtitan run it (sim/spec/sharding.hpp,
// sim/memory/zero3_gathers.hpp zero3_fsdp_lifecycle, sim/workload/zero3_passes.cpp):
// reshard_after_forward true / false / N, HSDP's replicate all-reduce, and
// ZeRO-2/3 with pipeline parallelism (torch.distributed.pipelining: no
// reduction before each stage's last backward).
// Volumes are ring send bytes per GPU: a reduce-scatter or all-gather of S bytes
// over n ranks sends S (n-1)/n, an all-reduce 2 S (n-1)/n. Expected values come
// from the parameter counts, never from a run's output.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/memory/memory_model.hpp"
#include "sim/workload/step_sim.hpp"
#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::has;
using test::scenario;

// Llama 3 8B with FSDP (ZeRO-3) on one DGX H100, torchtitan: fsdp
// convention, bf16 parameters gathered, fp32 gradients reduced.
const char* kFsdp = R"(model: llama-3-8b
cluster: dgx-h100-80gb
gpus: 8
framework: {name: torchtitan}
parallel: {zero_stage: 3}
training: {seq_len: 2048, micro_batch: 1, global_batch: 8, precision: bf16, recompute: full}
)";

StepResult run(const std::vector<std::string>& sets, const char* yaml = kFsdp) {
  return simulate_step(scenario(yaml, sets));
}
double bytes(const StepResult& r, const std::string& key) {
  auto it = r.comm_bytes_per_gpu.find(key);
  return it == r.comm_bytes_per_gpu.end() ? 0.0 : it->second.value();
}
// Parameters one GPU of `stage` holds unsharded (its pipeline stage, tp 1).
double stage_params(const std::vector<std::string>& sets, int stage, const char* yaml = kFsdp) {
  return static_cast<double>(compute_memory(scenario(yaml, sets)).stages[stage].params);
}

}  // namespace

TEST_CASE("FSDP reshard_after_forward false: no backward all-gather, the unsharded blocks held") {
  StepResult t = run({"parallel.reshard_after_forward=true"});
  StepResult f = run({"parallel.reshard_after_forward=false"});
  const double psi = stage_params({}, 0);
  const double gather = 2 * psi * 7.0 / 8;                                        // every bf16 unit once over 8 ranks
  CHECK(bytes(t, "dp.all_gather") == doctest::Approx(2 * gather).epsilon(1e-9));  // forward + backward
  CHECK(bytes(f, "dp.all_gather") == doctest::Approx(gather).epsilon(1e-9));      // forward only
  // Every micro-batch's gradients reduce-scattered once, in fp32 (reduce_dtype).
  CHECK(bytes(f, "dp.reduce_scatter") == doctest::Approx(4 * psi * 7.0 / 8).epsilon(1e-9));
  // At the start of the backward every unit of the model is still gathered
  // (2 bytes each); reshard true holds at most the unit in use and the one
  // prefetched, at most 2 x (the largest unit: a layer plus the 128K x 4096
  // output projection).
  const double extra = f.peak_memory_bytes.value() - t.peak_memory_bytes.value();
  const double largest = psi / 32 + 128256.0 * 4096;
  CHECK(extra <= 2 * psi);
  CHECK(extra >= 2 * (psi - 2 * largest));
  // The removed all-gathers only shorten the step.
  CHECK(f.step_time_s.value() <= t.step_time_s.value());
}

TEST_CASE("FSDP reshard_after_forward N: the backward gathers over N ranks from an N-sharded copy") {
  const char* two_nodes = R"(model: llama-3-8b
cluster: dgx-h100-80gb
gpus: 16
framework: {name: torchtitan}
parallel: {zero_stage: 3}
training: {seq_len: 2048, micro_batch: 1, global_batch: 16, precision: bf16, recompute: full}
)";
  StepResult t = run({"parallel.reshard_after_forward=true"}, two_nodes);
  StepResult n8 = run({"parallel.reshard_after_forward=8"}, two_nodes);
  StepResult f = run({"parallel.reshard_after_forward=false"}, two_nodes);
  const double psi = stage_params({}, 0, two_nodes);
  // Forward over the 16 ranks of two nodes; backward over 8 ranks of one node.
  CHECK(bytes(n8, "dp.all_gather") == doctest::Approx(2 * psi * 15.0 / 16).epsilon(1e-9));
  CHECK(bytes(n8, "reshard.all_gather") == doctest::Approx(2 * psi * 7.0 / 8).epsilon(1e-9));
  // Memory between true (nothing kept) and false (everything kept): the 1/8 copies.
  CHECK(n8.peak_memory_bytes.value() > t.peak_memory_bytes.value());
  CHECK(n8.peak_memory_bytes.value() < f.peak_memory_bytes.value());
  CHECK(n8.peak_memory_bytes.value() - t.peak_memory_bytes.value() <= 2 * psi / 8 + 1);
  // The backward all-gathers run on NVLink instead of across the nodes.
  CHECK(n8.step_time_s.value() <= t.step_time_s.value());
  // N must divide the 16 ranks of the shard group.
  const std::string e = test::error_of([&] { scenario(two_nodes, {"parallel.reshard_after_forward=6"}); });
  CHECK(has(e, "parallel.reshard_after_forward"));
  CHECK(has(e, "divisor of 16"));
}

TEST_CASE("FSDP2 reduces in every micro-batch without PP, in training.grad_dtype") {
  const double psi = stage_params({}, 0);
  StepResult m4 = run({"training.global_batch=32"});
  CHECK(bytes(m4, "dp.reduce_scatter") == doctest::Approx(4 * 4 * psi * 7.0 / 8).epsilon(1e-9));
  StepResult bf16 = run({"training.global_batch=32", "training.grad_dtype=bf16"});
  CHECK(bytes(bf16, "dp.reduce_scatter") == doctest::Approx(bytes(m4, "dp.reduce_scatter") / 2).epsilon(1e-9));
}

TEST_CASE("HSDP: reduce-scatter on the shard group, all-reduce of the shard across replicas") {
  const char* hsdp = R"(model: llama-3-8b
cluster: dgx-h100-80gb
framework: {name: torchtitan}
parallel: {zero_stage: 3, dp_shard: 8, dp_replicate: 2}
training: {seq_len: 2048, micro_batch: 1, global_batch: 32, precision: bf16, recompute: full}
)";
  Scenario s = scenario(hsdp);
  CHECK(s.gpus == 16);  // derived from dp_shard x dp_replicate
  CHECK(s.parallel.dp == 16);
  StepResult r = simulate_step(s);
  const double psi = stage_params({}, 0, hsdp);
  const int m = 2;
  CHECK(bytes(r, "dp.reduce_scatter") == doctest::Approx(m * 4 * psi * 7.0 / 8).epsilon(1e-9));
  CHECK(bytes(r, "dp.all_gather") == doctest::Approx(m * 2 * 2 * psi * 7.0 / 8).epsilon(1e-9));
  // All-reduce of psi / 8 fp32 elements over 2 ranks: 2 S (2-1)/2 = S.
  CHECK(bytes(r, "dp_replicate.all_reduce") == doctest::Approx(m * 4 * psi / 8).epsilon(1e-9));
  // Model states split over the 8 ranks of a shard group: Adam's 8 bytes / 8.
  const MemoryResult mem = compute_memory(s);
  CHECK(mem.stages[0].peak.optimizer_states.value() == doctest::Approx(8 * psi / 8).epsilon(1e-9));
  const MemoryResult flat = compute_memory(scenario(hsdp, {"parallel.dp_replicate=1", "parallel.dp_shard=16"}));
  CHECK(flat.stages[0].peak.optimizer_states.value() == doctest::Approx(8 * psi / 16).epsilon(1e-9));
}

TEST_CASE("HSDP keys: dp = dp_shard x dp_replicate, errors name the key") {
  const char* base =
      "model: llama-3-8b\ncluster: dgx-h100-80gb\ngpus: 16\nparallel: {zero_stage: 3}\n"
      "training: {seq_len: 2048, global_batch: 16}\n";
  Scenario s = scenario(base, {"parallel.dp_replicate=4"});
  CHECK(s.parallel.dp_shard == 4);
  s = scenario(base, {"parallel.dp_shard=2"});
  CHECK(s.parallel.dp_replicate == 8);
  std::string e = test::error_of([&] { scenario(base, {"parallel.dp_shard=3"}); });
  CHECK(has(e, "parallel.dp_shard"));
  CHECK(has(e, "divisor of 16"));
  e = test::error_of([&] { scenario(base, {"parallel.dp_shard=4", "parallel.dp_replicate=2"}); });
  CHECK(has(e, "parallel.dp_shard"));
  CHECK(has(e, "dp_shard x dp_replicate = dp"));
  e = test::error_of([&] { scenario(base, {"parallel.dp_replicate=3"}); });
  CHECK(has(e, "parallel.dp_replicate"));
}

namespace {

// Llama 3 8B, PP 2 x FSDP 4 on one DGX H100, 4 micro-batches.
const char* kPipe = R"(model: llama-3-8b
cluster: dgx-h100-80gb
gpus: 8
framework: {name: torchtitan}
parallel: {zero_stage: 3, pp: 2}
training: {seq_len: 2048, micro_batch: 1, global_batch: 16, precision: bf16, recompute: full}
)";

}  // namespace

TEST_CASE("FSDP with PP: one all-gather per step (reshard false), one reduce-scatter after the last backward") {
  Scenario s = scenario(kPipe);
  CHECK(s.parallel.dp == 4);
  bool said = false;
  for (const std::string& a : s.imports.assumptions) said = said || has(a, "reshard_after_forward = false");
  CHECK(said);
  StepResult f = simulate_step(s);
  StepResult t = run({"parallel.reshard_after_forward=true"}, kPipe);
  const double p0 = stage_params({}, 0, kPipe), p1 = stage_params({}, 1, kPipe);
  const double lo = std::min(p0, p1), hi = std::max(p0, p1);
  const double ag = bytes(f, "dp.all_gather"), rs = bytes(f, "dp.reduce_scatter");
  CHECK(ag >= 2 * lo * 3.0 / 4 - 1);
  CHECK(ag <= 2 * hi * 3.0 / 4 + 1);
  CHECK(rs >= 4 * lo * 3.0 / 4 - 1);  // once per step, not once per micro-batch
  CHECK(rs <= 4 * hi * 3.0 / 4 + 1);
  // reshard true with 1F1B: on either stage the first forward, the backward
  // of micro-batches 0, 1, 2 (kept into the next forward, which frees them)
  // and one more forward or the last backward gather: 5 gathers of the stage.
  CHECK(bytes(t, "dp.all_gather") == doctest::Approx(5 * ag).epsilon(1e-9));
  CHECK(bytes(t, "dp.reduce_scatter") == doctest::Approx(rs).epsilon(1e-9));
  // The unsharded fp32 gradients of the stage accumulate: 4 B per parameter
  // beside the sharded 4 / 4.
  const MemoryResult mem = compute_memory(s);
  for (int i = 0; i < 2; ++i) {
    const double p = static_cast<double>(mem.stages[i].params);
    CHECK(mem.stages[i].peak.grads.value() == doctest::Approx(4 * p + 4 * p / 4).epsilon(1e-9));
  }
  CHECK(f.memory_at_peak.grads.value() >= 4 * lo);
}

TEST_CASE("FSDP with interleaved PP and with CP: every chunk gathered once per step") {
  StepResult one = run({}, kPipe);
  StepResult inter = run({"parallel.vp=2"}, kPipe);
  CHECK(bytes(inter, "dp.all_gather") == doctest::Approx(bytes(one, "dp.all_gather")).epsilon(1e-9));
  CHECK(bytes(inter, "dp.reduce_scatter") == doctest::Approx(bytes(one, "dp.reduce_scatter")).epsilon(1e-9));
  // CP 2 x FSDP 2 x PP 2: the states shard over dp x cp = 4, as FSDP 4 x PP 2.
  Scenario cp = scenario(kPipe, {"parallel.cp=2"});
  CHECK(cp.parallel.dp == 2);
  StepResult rc = simulate_step(cp);
  CHECK(bytes(rc, "dp.all_gather") == doctest::Approx(bytes(one, "dp.all_gather")).epsilon(1e-9));
  const MemoryResult a = compute_memory(cp), b = compute_memory(scenario(kPipe));
  CHECK(a.stages[0].peak.optimizer_states.value() == doctest::Approx(b.stages[0].peak.optimizer_states.value()));
}

TEST_CASE("ZeRO-2/3 with PP: refused under DeepSpeed's pipeline engine only") {
  const char* ds =
      "model: llama-3-8b\ncluster: dgx-h100-80gb\ngpus: 8\nparallel: {zero_stage: 2, pp: 2}\n"
      "training: {seq_len: 2048, global_batch: 16}\n";
  CHECK(has(test::error_of([&] { scenario(ds, {"framework.name=deepspeed"}); }), "parallel.zero_stage"));
  CHECK(test::error_of([&] { scenario(ds, {"framework.name=torchtitan"}); }) == "(no error)");
  // Megatron's distributed optimizer is ZeRO-1 with PP (the framework profile's rule).
  CHECK(has(test::error_of([&] { scenario(ds, {"framework.name=megatron-core"}); }), "parallel.zero_stage"));
  // ZeRO-2 under torchtitan with PP: the gradients accumulate unsharded too.
  StepResult r = simulate_step(scenario(ds, {"framework.name=torchtitan"}));
  CHECK(r.step_time_s.value() > 0);
}
