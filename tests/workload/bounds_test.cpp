// Issue 25, "work is bounded / legal values handled": legal values of the
// bucket and sub-group keys terminate with bounded events and unchanged
// totals, no rate of 0 makes a transfer free, a step longer than the clock is
// bad input naming its term, --max-events / --timeout cover program building,
// and flow-network graphs are sized before they are built. Each case failed
// (hung, overflowed, returned a wrong time or exited as an internal error)
// before its fix.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/core/sim_error.hpp"
#include "sim/core/work_budget.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/load/zoo.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/model/params.hpp"
#include "sim/spec/limits.hpp"
#include "sim/topology/topology.hpp"
#include "sim/topology/topology_size.hpp"
#include "sim/workload/offload_plan.hpp"
#include "sim/workload/piece_runs.hpp"
#include "sim/workload/program_builder.hpp"
#include "sim/workload/step_plan.hpp"
#include "sim/workload/step_sim.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;
using test::error_of;
using test::has;
using test::scenario;

namespace {

// DeepSpeed ZeRO-1 on 16 GPUs: the updated parameters are all-gathered after
// the step in allgather_bucket_size buckets.
const char* kZero1 = R"(model: megatron-gpt-1.7b
cluster: dgx-a100-80gb
gpus: 16
framework: {name: deepspeed}
parallel: {zero_stage: 1}
training: {seq_len: 2048, micro_batch: 1, global_batch: 16, recompute: full}
)";

// ZeRO-Infinity: optimizer states on NVMe, stepped per sub-group.
const char* kInfinity = R"(model: megatron-gpt-1.7b
cluster: dgx-a100-80gb
gpus: 8
framework: {name: deepspeed}
parallel: {zero_stage: 3}
training: {seq_len: 2048, micro_batch: 1, global_batch: 8, recompute: full}
offload: {optimizer: nvme, params: cpu, pin_memory: true}
)";

StepResult run(const char* yaml, const std::string& set) { return simulate_step(scenario(yaml, {set})); }

double gathered(const StepResult& r) {
  auto it = r.comm_bytes_per_gpu.find("dp.all_gather");
  return it == r.comm_bytes_per_gpu.end() ? 0.0 : it->second.value();
}

// Gradient bytes reduced over the shard group ("dp.all_reduce" or "dp.reduce_scatter").
double reduced(const StepResult& r) {
  double sum = 0;
  for (const auto& kv : r.comm_bytes_per_gpu)
    if (kv.first.rfind("dp.", 0) == 0 && kv.first != "dp.all_gather") sum += kv.second.value();
  return sum;
}

}  // namespace

TEST_CASE("piece_runs cuts as DeepSpeed's loop and coalesces past the cap without changing the total") {
  // 10 elements in pieces of 4: 4, 4, 2.
  std::vector<PieceRun> r = piece_runs(10, 4);
  REQUIRE(r.size() == 3);
  CHECK(r[0].elements() == 4);
  CHECK(r[1].elements() == 4);
  CHECK(r[2].elements() == 2);
  // 1e6 pieces of 3 elements plus 1: at most 8 runs, 1e6 + 1 pieces in all.
  r = piece_runs(3e6 + 1, 3, 8);
  REQUIRE(r.size() == 8);
  double total = 0, pieces = 0;
  for (const PieceRun& p : r) {
    total += p.elements();
    pieces += p.full + (p.tail > 0 ? 1 : 0);
  }
  CHECK(total == 3e6 + 1);
  CHECK(pieces == 1e6 + 1);
  CHECK(r.back().tail == 1);
  // A larger piece never gives more runs.
  std::size_t last = SIZE_MAX;
  for (double piece : {1.0, 2.0, 7.0, 1e3, 1e5, 1e7}) {
    const std::size_t n = piece_runs(1e7, piece, 64).size();
    CHECK(n <= last);
    last = n;
  }
  CHECK(piece_runs(0, 4).empty());
  const std::vector<PieceRun> eq = equal_piece_runs(100, 10, 4);
  REQUIRE(eq.size() == 4);
  double sum = 0;
  for (const PieceRun& p : eq) sum += p.elements();
  CHECK(sum == doctest::Approx(100));
}

TEST_CASE("allgather_bucket_size 0 gathers the partition at once; tiny buckets stay bounded with the same bytes") {
  // DeepSpeed's all_gather_dp_groups ignores the bucket size when torch has
  // all_gather_into_tensor; here 0 used to loop forever.
  const StepResult whole = run(kZero1, "memory.allgather_bucket_size=0");
  const StepResult one = run(kZero1, "memory.allgather_bucket_size=1e12");  // one bucket holds everything
  REQUIRE(gathered(one) > 0);
  CHECK(whole.step_time_s.value() == doctest::Approx(one.step_time_s.value()));
  CHECK(gathered(whole) == doctest::Approx(gathered(one)));
  CHECK(whole.events == one.events);
  // Smaller buckets: the same bytes, never fewer events, never more than the
  // cap of runs adds; a larger bucket never adds events.
  std::uint64_t last = UINT64_MAX;
  for (const char* b : {"1000", "1e5", "1e7", "5e8"}) {
    const StepResult r = run(kZero1, std::string("memory.allgather_bucket_size=") + b);
    CHECK(gathered(r) == doctest::Approx(gathered(one)));
    CHECK(r.events <= last);
    CHECK(r.events <= one.events + 4 * static_cast<std::uint64_t>(kMaxPieceRuns));
    CHECK(r.step_time_s.value() >= one.step_time_s.value() * 0.999);  // more NCCL launches never help
    last = r.events;
  }
}

TEST_CASE("reduce_bucket_size 0 reduces every gradient as it comes (DeepSpeed's bucket check), and terminates") {
  const StepResult zero = run(kZero1, "memory.reduce_bucket_size=0");
  const StepResult big = run(kZero1, "memory.reduce_bucket_size=5e8");
  CHECK(zero.step_time_s.value() > 0);
  CHECK(reduced(zero) == doctest::Approx(reduced(big)));
  CHECK(reduced(big) > 0);
}

TEST_CASE("sub_group_size: tiny and 0 swap the whole optimizer state, as one group per tensor at most") {
  // sub_group_size <= 4 used to overflow an int: 17 s instead of 207 s for a
  // 70B model, with a fraction of the swap bytes. DeepSpeed reads 0 as one
  // group per tensor (stage3.py _create_fp16_sub_groups).
  const StepResult base = run(kInfinity, "memory.sub_group_size=1e9");
  const double bytes = base.offload_nvme_read_bytes_per_gpu.value();
  REQUIRE(bytes > 0);
  std::uint64_t last = UINT64_MAX;
  for (const char* g : {"0", "1", "4", "10", "1e3", "1e5", "1e7", "1e9"}) {
    CAPTURE(g);
    const StepResult r = run(kInfinity, std::string("memory.sub_group_size=") + g);
    CHECK(r.offload_nvme_read_bytes_per_gpu.value() == doctest::Approx(bytes));
    CHECK(r.offload_nvme_write_bytes_per_gpu.value() == doctest::Approx(base.offload_nvme_write_bytes_per_gpu.value()));
    // Every group moves its states through the same NVMe lane, so the step
    // takes about as long however they are cut (the overlap changes a little).
    CHECK(r.step_time_s.value() == doctest::Approx(base.step_time_s.value()).epsilon(0.05));
    if (std::string(g) != "0") {  // a larger sub-group never adds events (0 = the smallest)
      CHECK(r.events <= last);
      last = r.events;
    }
  }
  // One group per tensor at most, so 0 and 1 cut alike. GPT-1.7B's 24 layers
  // have 16 tensors each (two LayerNorms with weight and bias; Q, K, V, output,
  // MLP in and out, each with a bias), plus the word embedding and the learned
  // position table, and the final LayerNorm (weight, bias; the output layer is
  // tied to the embedding).
  CHECK(run(kInfinity, "memory.sub_group_size=0").events == run(kInfinity, "memory.sub_group_size=1").events);
  CHECK(stage_param_tensors(scenario(kInfinity).model, 24, true, true, 1) == 24 * 16 + 2 + 2);
}

TEST_CASE("sub_group_size 0 sizes DeepSpeed's optimizer swap buffers by the largest tensor, not by 0") {
  // stage3.py: each buffer holds the largest sub-group (largest_numel); with
  // one tensor per group that is the largest tensor's partition, here the
  // word embedding: 51,200 x 2,304 over 8 GPUs.
  const double largest = 51200.0 * 2304 / 8;
  const auto host = [](const std::string& g) {
    return compute_memory(scenario(kInfinity, {"memory.sub_group_size=" + g})).stages[0].host_offload.value();
  };
  CHECK(host("0") == doctest::Approx(host(std::to_string(static_cast<long long>(largest)))));
  CHECK(host("0") == doctest::Approx(host("1")));
  CHECK(host("0") < host("1e8"));  // a larger sub-group than any tensor: larger buffers
}

TEST_CASE("no size or rate of 0 makes offload free") {
  CHECK(has(error_of([] { scenario(kInfinity, {"offload.aio_block_size=0B"}); }), "offload.aio_block_size"));
  Scenario s = scenario(kInfinity);
  s.offload.aio.queue_depth = 0;  // past the key's minimum: the library still refuses a free swap
  CHECK(has(error_of([&s] { plan_offload(s, false); }), "NVMe read rate"));
  s = scenario(kInfinity);
  s.cluster.node.pcie.pinned_efficiency = 0;
  CHECK(has(error_of([&s] { plan_offload(s, false); }), "node.pcie.pinned_efficiency"));
  s = scenario(kInfinity);
  s.offload.cpu_adam_rate = 0;
  s.cluster.node.cpu_adam_rate = 0;
  CHECK(has(error_of([&s] { plan_offload(s, false); }), "offload.cpu_adam_throughput"));
  CHECK_THROWS_AS(copy_seconds(Bytes(1), 0), std::invalid_argument);
  CHECK(copy_seconds(Bytes(0), 0).value() == 0);
}

TEST_CASE("a step longer than the simulated clock is bad input naming the work and its key") {
  // One piece of work past the clock: CPU-Adam at 1 parameter per second.
  const std::string adam = error_of([] { run(kInfinity, "offload.cpu_adam_throughput=1"); });
  CHECK(has(adam, "offload.cpu_adam_throughput"));
  CHECK(has(adam, "CPU-Adam"));
  CHECK(has(adam, "simulated clock"));
  // Each piece fits, the step does not: the longest piece is named.
  const char* kLong = R"(model: {layers: 32, hidden: 4096, heads: 32, ffn: 11008, vocab: 32000, max_position: 16777216,
         mlp: swiglu, norm: rmsnorm, position: rope}
cluster: dgx-h100-80gb
nodes: 1
parallel: {zero_stage: 3}
training: {seq_len: 16777216, micro_batch: 8, global_batch: 64, precision: bf16, flash_attention: false,
           recompute: full}
)";
  const std::string step = error_of([kLong] { simulate_step(scenario(kLong)); });
  CHECK(has(step, "training.seq_len"));
  CHECK(has(step, "longest piece of work"));
}

TEST_CASE("--max-events and --timeout cover building the programs") {
  WorkBudget none;
  for (int i = 0; i < 100000; ++i) none.charge();  // never throws, never reads the clock
  CHECK(none.used() == 100000);
  WorkBudget few(10, 0);
  for (int i = 0; i < 10; ++i) few.charge();
  CHECK_THROWS_AS(few.charge(), EventLimitExceeded);
  WorkBudget late(UINT64_MAX, 1e-9);
  CHECK_THROWS_AS(
      [&late] {
        for (int i = 0; i < 100000; ++i) late.charge();
      }(),
      WallTimeExceeded);

  const Scenario s = scenario(kInfinity, {"memory.sub_group_size=10"});
  CommCost comm(s.cluster, false, s.network.algorithm, s.network.protocol);
  const StepPlan plan = make_step_plan(s, comm);
  WorkBudget small(50, 0);
  CHECK_THROWS_AS(build_programs(s, plan, comm, false, &small), EventLimitExceeded);
  StepOptions o;
  o.max_events = 50;
  CHECK_THROWS_AS(simulate_step(s, o), EventLimitExceeded);
}

TEST_CASE("a flow-network graph is sized before it is built, and refused past the limit naming the key") {
  ClusterSpec c = test::card("dgx-a100-80gb");
  const TopologySize two = estimate_topology_size(c, 2);
  CHECK(two.total() < kMaxTopologyLinks);
  CHECK(build_topology(c, 2)->links().size() <= static_cast<std::size_t>(two.total()));
  c.fabric.spines_per_pod = 262144;  // legal on the card: 8 rails x 262,144 spines = 4 M cables
  CHECK(estimate_topology_size(c, 2).spine_links >= 2.0 * 8 * 262144);
  CHECK(has(error_of([&c] { build_topology(c, 2); }), "fabric.spines_per_pod"));
  // An offload run builds that graph too.
  Scenario s = scenario(kInfinity);
  s.cluster.fabric.spines_per_pod = 262144;
  CHECK(has(error_of([&s] { simulate_step(s); }), "fabric.spines_per_pod"));
}
