// One training step on the engine (sim/workload/step_sim.hpp): symmetry,
// analytic communication volumes, pipeline bubbles, bandwidth monotonicity,
// agreement of the memory timeline with the analytic memory model, and the
// consistency of the breakdown.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "sim/load/scenario_loader.hpp"
#include "sim/load/zoo.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/model/params.hpp"
#include "sim/report/chrome_trace.hpp"
#include "sim/workload/async_lane.hpp"
#include "sim/workload/breakdown_clock.hpp"
#include "sim/workload/memory_tracker.hpp"
#include "sim/workload/step_sim.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::scenario;

const char* kSmall = R"(model: megatron-gpt-1.7b
cluster: dgx-a100-80gb
training: {seq_len: 2048, micro_batch: 1, global_batch: 16, precision: bf16}
)";

void check_sum(const StepResult& r) {
  CHECK(r.breakdown.total().value() == doctest::Approx(r.step_time_s.value()).epsilon(1e-9));
  CHECK(r.breakdown.pp_bubble.value() >= 0);
  CHECK(r.breakdown.dp_comm_exposed.value() >= 0);
}

}  // namespace

TEST_CASE("symmetric and full simulation give identical step times and peaks") {
  const std::vector<std::vector<std::string>> layouts = {
      {"gpus=16", "parallel.tp=2", "parallel.pp=2"},
      {"gpus=8", "parallel.pp=4", "parallel.vp=2", "parallel.zero_stage=1"},
      {"gpus=16", "parallel.tp=4", "parallel.sequence_parallel=true", "parallel.zero_stage=3"},
      {"gpus=16", "parallel.tp=2", "parallel.cp=2", "parallel.zero_stage=2"},
      {"gpus=16", "parallel.tp=2", "parallel.cp=2", "parallel.pp=2", "parallel.zero_stage=1"},
      {"gpus=24", "parallel.tp=2", "parallel.pp=3", "parallel.schedule=gpipe", "training.recompute=full"},
  };
  for (const auto& sets : layouts) {
    Scenario s = scenario(kSmall, sets);
    StepResult sym = simulate_step(s);
    StepOptions full;
    full.full = true;
    StepResult all = simulate_step(s, full);
    CAPTURE(sets.back());
    CHECK(sym.simulated_gpus == s.parallel.pp);
    CHECK(all.simulated_gpus == s.gpus);
    CHECK(sym.step_time_s.value() == all.step_time_s.value());
    CHECK(sym.peak_memory_bytes.value() == all.peak_memory_bytes.value());
    for (std::size_t i = 0; i < sym.per_gpu.size(); ++i)
      CHECK(sym.per_gpu[i].peak_bytes.value() == all.per_gpu[i].peak_bytes.value());
    check_sum(sym);
    check_sum(all);
  }
}

TEST_CASE("pure DP moves 2 Psi (N-1)/N gradient elements per GPU; ZeRO-3 1.5x that") {
  const std::vector<std::string> base = {"gpus=8", "training.global_batch=8", "training.precision=fp16",
                                         "memory.convention=deepspeed"};
  Scenario dp = scenario(kSmall, base);
  StepResult r = simulate_step(dp);
  const double psi = static_cast<double>(r.params_total);
  const double n = 8;
  const double expected = 2.0 * psi * (n - 1) / n * 2;  // 2-byte gradients
  CHECK(r.comm_bytes_per_gpu["dp.all_reduce"].value() == doctest::Approx(expected).epsilon(1e-9));
  std::vector<std::string> z3 = base;
  z3.push_back("parallel.zero_stage=3");
  z3.push_back("memory.max_reuse_distance=0");  // every unit gathered again in backward, as the ZeRO paper counts
  z3.push_back("memory.param_persistence_threshold=0");  // every tensor partitioned, as the ZeRO paper counts
  StepResult r3 = simulate_step(scenario(kSmall, z3));
  const double total =
      r3.comm_bytes_per_gpu["dp.all_gather"].value() + r3.comm_bytes_per_gpu["dp.reduce_scatter"].value();
  CHECK(total == doctest::Approx(1.5 * expected).epsilon(1e-9));

  // DeepSpeed's default threshold (1e5) keeps norms and biases gathered: per layer 4h norm
  // elements + the QKV, MLP-in and two h biases (3h + 4h + 2h) leave the forward and backward gathers.
  z3.back() = "memory.param_persistence_threshold=1e5";
  StepResult persist = simulate_step(scenario(kSmall, z3));
  const Scenario sc = scenario(kSmall, z3);
  const double h = sc.model.hidden;
  const double small = sc.model.layers * 13 * h;
  CHECK(persist.comm_bytes_per_gpu["dp.reduce_scatter"].value() == r3.comm_bytes_per_gpu["dp.reduce_scatter"].value());
  CHECK(r3.comm_bytes_per_gpu["dp.all_gather"].value() - persist.comm_bytes_per_gpu["dp.all_gather"].value() ==
        doctest::Approx(2 * small * 2 * (n - 1) / n).epsilon(1e-9));
  CHECK(persist.peak_memory_bytes.value() > r3.peak_memory_bytes.value());  // the persistent tensors stay resident
}

// DeepSpeed stage3_max_reuse_distance: the units used last in forward are used
// first in backward; within the reuse distance they stay gathered across the
// boundary, so their backward all-gather (and nothing else) disappears.
TEST_CASE("ZeRO-3 max_reuse_distance: the units kept across the forward/backward boundary are not gathered again") {
  std::vector<std::string> z3 = {"gpus=8",
                                 "training.global_batch=8",
                                 "training.precision=fp16",
                                 "memory.convention=deepspeed",
                                 "parallel.zero_stage=3",
                                 "memory.param_persistence_threshold=0",
                                 "memory.prefetch_bucket_size=1e9",
                                 "memory.max_live_parameters=1e10"};
  z3.push_back("memory.max_reuse_distance=0");
  StepResult none = simulate_step(scenario(kSmall, z3));
  z3.back() = "memory.max_reuse_distance=1e12";
  StepResult far = simulate_step(scenario(kSmall, z3));
  const double gathered_none = none.comm_bytes_per_gpu["dp.all_gather"].value();
  const double gathered_far = far.comm_bytes_per_gpu["dp.all_gather"].value();
  CHECK(gathered_far < gathered_none);
  CHECK(gathered_far >= 0.5 * gathered_none);  // the forward gathers stay
  CHECK(far.comm_bytes_per_gpu["dp.reduce_scatter"].value() == none.comm_bytes_per_gpu["dp.reduce_scatter"].value());
  CHECK(far.step_time_s.value() <= none.step_time_s.value());
  // Kept units replace gathers of the same units: the peak does not grow.
  CHECK(far.peak_memory_bytes.value() <= none.peak_memory_bytes.value());
  // A distance smaller than one unit keeps only the last unit of the forward.
  z3.back() = "memory.max_reuse_distance=1";
  StepResult one = simulate_step(scenario(kSmall, z3));
  CHECK(one.comm_bytes_per_gpu["dp.all_gather"].value() < gathered_none);
  CHECK(one.comm_bytes_per_gpu["dp.all_gather"].value() > gathered_far);
}

// Megatron's p2p_communication waits for every pipeline transfer; only the
// interleaved schedule with --overlap-p2p-communication hides them.
TEST_CASE("pipeline sends block the sending stage unless the interleaved schedule overlaps them") {
  const std::vector<std::string> base = {"gpus=16", "parallel.pp=4", "training.global_batch=16"};
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> sets = base;
    sets.insert(sets.end(), extra.begin(), extra.end());
    return simulate_step(scenario(kSmall, sets));
  };
  StepResult plain = run({});
  StepResult flag_only = run({"training.overlap_p2p_comm=true"});
  CHECK(plain.breakdown.pp_comm_exposed.value() > 0);
  CHECK(flag_only.step_time_s.value() == plain.step_time_s.value());  // 1F1B: Megatron ignores the flag
  StepResult interleaved = run({"parallel.vp=2"});
  StepResult overlapped = run({"parallel.vp=2", "training.overlap_p2p_comm=true"});
  CHECK(overlapped.breakdown.pp_comm_exposed.value() < interleaved.breakdown.pp_comm_exposed.value());
  CHECK(overlapped.step_time_s.value() < interleaved.step_time_s.value());
}

TEST_CASE("with free communication the pipeline bubble is (p-1)/m, and (p-1)/(v m) interleaved") {
  const auto path = std::filesystem::temp_directory_path() / "trainsim_uniform_profile.csv";
  {
    std::ofstream f(path);
    f << "block,forward_ms,backward_ms\nlayer,1,2\nembedding,0,0\noutput,0,0\n";
  }
  StepOptions ideal;
  ideal.ideal_network = true;
  for (int vp : {1, 2}) {
    Scenario s = scenario(kSmall, {"gpus=4", "parallel.pp=4", "parallel.vp=" + std::to_string(vp),
                                   "training.global_batch=8", "training.compute_profile=" + path.string()});
    StepResult r = simulate_step(s, ideal);
    const double fraction =
        r.breakdown.pp_bubble.value() / (r.breakdown.compute.value() + r.breakdown.recompute.value());
    CAPTURE(vp);
    CHECK(fraction == doctest::Approx(3.0 / (vp * 8)).epsilon(0.01));
    check_sum(r);
  }
  std::filesystem::remove(path);
}

TEST_CASE("doubling every bandwidth never increases the step time") {
  const std::vector<std::vector<std::string>> layouts = {
      {"gpus=16", "parallel.tp=8", "parallel.pp=2"},
      {"gpus=32", "parallel.tp=2", "parallel.zero_stage=3", "training.global_batch=32"},
      {"gpus=16", "parallel.pp=4", "parallel.vp=2", "parallel.zero_stage=1"},
  };
  for (const auto& sets : layouts) {
    Scenario s = scenario(kSmall, sets);
    double before = simulate_step(s).step_time_s.value();
    NodeSpec& n = s.cluster.node;
    n.nvswitch.bandwidth = n.nvswitch.bandwidth * 2.0;
    n.nics.bandwidth = n.nics.bandwidth * 2.0;
    n.pcie.bandwidth = n.pcie.bandwidth * 2.0;
    n.gpu.hbm_bandwidth = n.gpu.hbm_bandwidth * 2.0;
    double after = simulate_step(s).step_time_s.value();
    CAPTURE(sets.back());
    CHECK(after <= before);
    CHECK(after < before);  // every layout here communicates or touches memory on its critical path
  }
}

TEST_CASE("the memory timeline's peak agrees with trainsim mem within 5% on sixteen plans") {
  const std::vector<std::pair<std::string, std::vector<std::string>>> plans = {
      {"gpt3-175b",
       {"nodes=128", "parallel.tp=8", "parallel.pp=8", "training.global_batch=1536", "training.recompute=full"}},
      {"gpt3-175b",
       {"nodes=128", "parallel.tp=8", "parallel.pp=8", "parallel.zero_stage=1", "training.global_batch=512",
        "training.recompute=selective", "parallel.sequence_parallel=true"}},
      {"gpt3-175b", {"nodes=64", "parallel.tp=8", "parallel.pp=8", "parallel.vp=2", "training.global_batch=512"}},
      {"llama-2-7b", {"nodes=1", "parallel.zero_stage=3", "training.seq_len=4096", "training.global_batch=64"}},
      {"llama-2-7b",
       {"nodes=2", "parallel.tp=2", "parallel.zero_stage=2", "training.seq_len=4096", "training.global_batch=64"}},
      {"llama-2-70b",
       {"nodes=8", "parallel.tp=8", "parallel.pp=4", "training.seq_len=4096", "training.global_batch=128"}},
      {"llama-3-8b",
       {"nodes=1", "parallel.tp=2", "parallel.cp=2", "training.seq_len=8192", "training.global_batch=32"}},
      {"megatron-gpt-18.4b", {"nodes=32", "parallel.tp=8", "training.global_batch=1024", "training.recompute=full"}},
      {"megatron-gpt-39.1b", {"nodes=64", "parallel.tp=8", "parallel.pp=2", "training.global_batch=1536"}},
      {"gpt-neox-20b",
       {"nodes=4", "parallel.tp=2", "parallel.pp=4", "parallel.schedule=gpipe", "training.global_batch=64"}},
      {"opt-175b",
       {"nodes=16", "parallel.tp=8", "parallel.pp=4", "parallel.zero_stage=1", "training.global_batch=256"}},
      {"bloom-176b",
       {"nodes=48", "parallel.tp=4", "parallel.pp=12", "parallel.zero_stage=1", "memory.convention=deepspeed",
        "training.global_batch=2048", "training.recompute=full"}},
      // ZeRO-3, gathered parameters layer by layer: several prefetch buckets and live caps.
      {"llama-2-7b",
       {"nodes=1", "parallel.zero_stage=3", "memory.convention=deepspeed", "training.seq_len=4096",
        "training.global_batch=64", "memory.prefetch_bucket_size=1e9", "memory.max_live_parameters=1e10"}},
      {"llama-2-13b",
       {"nodes=2", "parallel.tp=2", "parallel.zero_stage=3", "memory.convention=deepspeed", "training.recompute=full",
        "training.global_batch=64", "memory.prefetch_bucket_size=0", "memory.max_live_parameters=1e8"}},
      {"megatron-gpt-1.7b",
       {"nodes=2", "parallel.zero_stage=3", "memory.convention=deepspeed", "training.global_batch=64",
        "memory.prefetch_bucket_size=2e8", "memory.max_live_parameters=3e8", "memory.param_persistence_threshold=0"}},
      {"gpt-neox-20b",
       {"nodes=4", "parallel.tp=2", "parallel.zero_stage=3", "offload.optimizer=cpu", "training.recompute=full",
        "training.global_batch=64", "memory.prefetch_bucket_size=5e8", "memory.max_live_parameters=1e9"}},
  };
  for (const auto& [model, sets] : plans) {
    std::string yaml = "model: " + model + "\ncluster: dgx-a100-80gb\ntraining: {global_batch: 8}\n";
    Scenario s = scenario(yaml, sets);
    MemoryResult mem = compute_memory(s);
    StepResult run = simulate_step(s);
    const std::string& model_name = model;  // clang 14 cannot capture a structured binding (CAPTURE's lambda)
    CAPTURE(model_name);
    CHECK(run.peak_memory_bytes.value() == doctest::Approx(mem.peak.value()).epsilon(0.05));
    CHECK(run.memory_at_peak.zero3_gathered.value() ==
          doctest::Approx(mem.at_peak.zero3_gathered.value()).epsilon(0.05));
  }
}

namespace {

// A ZeRO-3 unit holds at most one layer, the embeddings, the final norm and the output layer.
double largest_unit_bound(const Scenario& s) {
  const ParamCounts c = count_params(s.model);
  return static_cast<double>(c.per_layer + c.word_embedding + c.position_embedding + c.embedding_norm + c.final_norm +
                             c.output_layer);
}

}  // namespace

TEST_CASE(
    "ZeRO-3 gathered parameters at the peak stay within max_live_parameters + one unit; prefetch never lowers the "
    "peak") {
  const char* y = R"(model: megatron-gpt-1.7b
cluster: dgx-a100-80gb
gpus: 8
parallel: {zero_stage: 3}
training: {seq_len: 2048, micro_batch: 1, global_batch: 8, precision: bf16}
memory: {convention: deepspeed}
)";
  const Scenario base = scenario(y);
  const double unit = largest_unit_bound(base);
  const double layer = static_cast<double>(count_params(base.model).per_layer);
  for (double live : {1e8, 2e8, 4e8, 1e9}) {
    double previous = 0;
    for (double prefetch : {0.0, 1e8, 3e8, 1e9}) {
      Scenario s = scenario(y, {"memory.max_live_parameters=" + std::to_string(live),
                                "memory.prefetch_bucket_size=" + std::to_string(prefetch)});
      StepResult r = simulate_step(s);
      const MemoryBreakdown& b = r.memory_at_peak;
      CAPTURE(live);
      CAPTURE(prefetch);
      CHECK(b.zero3_gathered.value() >= 0.9 * layer * 2);  // at least the running layer, 16-bit
      CHECK(b.zero3_gathered.value() <= (live + unit) * 2);
      CHECK(b.comm_buffers >= b.zero3_gathered);
      CHECK(r.peak_memory_bytes.value() >= previous);
      previous = r.peak_memory_bytes.value();
    }
  }
  // With room to live, a larger prefetch bucket holds more layers gathered at the peak.
  auto peak = [&](double prefetch) {
    return simulate_step(
        scenario(y, {"memory.max_live_parameters=1e10", "memory.prefetch_bucket_size=" + std::to_string(prefetch)}));
  };
  const StepResult narrow = peak(0), wide = peak(1e9);
  CHECK(wide.peak_memory_bytes.value() > narrow.peak_memory_bytes.value() + 2 * layer * 2);
  CHECK(wide.memory_at_peak.zero3_gathered > narrow.memory_at_peak.zero3_gathered);
}

TEST_CASE("the HBM counter of a ZeRO-3 step rises and falls layer by layer") {
  // No reuse across passes (max_reuse_distance 0): every layer is gathered and released in both passes.
  Scenario s = scenario(kSmall, {"gpus=8", "training.global_batch=8", "parallel.zero_stage=3",
                                 "memory.convention=deepspeed", "memory.max_reuse_distance=0"});
  StepOptions o;
  o.record_timeline = true;
  StepResult r = simulate_step(s, o);
  nlohmann::json t = nlohmann::json::parse(chrome_trace(r).dump());
  // One layer's gathered 16-bit parameters: the layer less its persistent tensors.
  const double layer =
      static_cast<double>(layer_params_per_tp_rank(s.model, 1) -
                          small_layer_params_per_tp_rank(s.model, 1, s.memory.param_persistence_threshold));
  const double layer_gib = layer * 2 / (1024.0 * 1024.0 * 1024.0);
  std::vector<double> gib;
  for (const auto& e : t["traceEvents"])
    if (e["ph"] == "C" && e["pid"] == 0) gib.push_back(e["args"]["GiB"].get<double>());
  int rises = 0, falls = 0;
  for (std::size_t i = 1; i < gib.size(); ++i) {
    const double d = gib[i] - gib[i - 1];
    if (std::abs(std::abs(d) - layer_gib) > 1e-9 * layer_gib) continue;
    (d > 0 ? rises : falls) += 1;
  }
  // Every layer but the two that carry the embedding / final norm, in forward and in backward.
  const int plain = 2 * (s.model.layers - 2);
  CHECK(rises >= plain);
  CHECK(falls >= plain);
  CHECK(r.memory_at_peak.zero3_gathered.value() > 0);
}

TEST_CASE("the step is deterministic and its throughput figures are consistent") {
  Scenario s = scenario(kSmall, {"gpus=16", "parallel.tp=2", "parallel.pp=2"});
  StepResult a = simulate_step(s);
  StepResult b = simulate_step(s);
  CHECK(a.step_time_s.value() == b.step_time_s.value());
  CHECK(a.events == b.events);
  CHECK(a.tokens_per_s == doctest::Approx(16.0 * 2048 / a.step_time_s.value()));
  CHECK(a.mfu == doctest::Approx(a.model_tflops_per_gpu * 1e12 / 312e12));
  CHECK(a.per_gpu.size() == 16u);
  CHECK(a.fits());
  // Without FlashAttention (full s x s products) and recompute, the FLOPs the ops
  // execute are Megatron's model FLOPs; with full recompute, one more forward.
  Scenario plain = scenario(kSmall, {"gpus=16", "parallel.tp=2", "parallel.pp=2", "training.flash_attention=false"});
  StepResult p = simulate_step(plain);
  CHECK(p.hardware_tflops_per_gpu == doctest::Approx(p.model_tflops_per_gpu).epsilon(0.01));
  plain.training.recompute = Recompute::full;
  StepResult f = simulate_step(plain);
  CHECK(f.hardware_tflops_per_gpu * f.step_time_s.value() ==
        doctest::Approx(p.hardware_tflops_per_gpu * p.step_time_s.value() * 4 / 3).epsilon(0.03));
}

TEST_CASE("the trace of a small scenario has a process per simulated GPU, lanes, counters and pipeline arrows") {
  Scenario s = scenario(kSmall, {"gpus=16", "parallel.tp=2", "parallel.pp=2", "parallel.zero_stage=1"});
  StepOptions o;
  o.record_timeline = true;
  o.full = true;
  StepResult r = simulate_step(s, o);
  nlohmann::json t = nlohmann::json::parse(chrome_trace(r).dump());
  std::set<int> processes, compute_pids, counter_pids;
  std::map<long long, int> flow_balance;
  std::set<std::string> lanes;
  for (const auto& e : t["traceEvents"]) {
    const std::string ph = e["ph"];
    if (ph == "M" && e["name"] == "process_name") processes.insert(e["pid"].get<int>());
    if (ph == "M" && e["name"] == "thread_name") lanes.insert(e["args"]["name"].get<std::string>());
    if (ph == "X" && e["tid"] == 0) compute_pids.insert(e["pid"].get<int>());
    if (ph == "X") CHECK(e["dur"].get<double>() > 0);
    if (ph == "C") counter_pids.insert(e["pid"].get<int>());
    if (ph == "s") ++flow_balance[e["id"].get<long long>()];
    if (ph == "f") --flow_balance[e["id"].get<long long>()];
  }
  CHECK(processes.size() == 16u);
  CHECK(compute_pids.size() == 16u);
  CHECK(counter_pids.size() == 16u);
  CHECK(lanes.count("compute") == 1);
  CHECK(lanes.count("tp_comm") == 1);
  CHECK(lanes.count("dp_comm") == 1);
  CHECK(lanes.count("pp_p2p") == 1);
  CHECK(!flow_balance.empty());
  for (const auto& [id, balance] : flow_balance) CHECK(balance == 0);
  // Every span lies inside the step.
  for (const TraceSpan& sp : r.spans) CHECK(sp.end_s.value() <= r.step_time_s.value() + 1.0);
}

TEST_CASE("ZeRO-1 gathers the updated parameters in allgather_bucket_size buckets: same bytes, more latency") {
  const std::vector<std::string> base = {"gpus=32", "training.global_batch=32", "parallel.zero_stage=1",
                                         "memory.convention=deepspeed"};
  std::vector<std::string> big = base, small = base;
  big.push_back("memory.allgather_bucket_size=5e8");
  small.push_back("memory.allgather_bucket_size=1e6");
  StepResult a = simulate_step(scenario(kSmall, big));
  StepResult b = simulate_step(scenario(kSmall, small));
  CHECK(a.comm_bytes_per_gpu["dp.all_gather"].value() ==
        doctest::Approx(b.comm_bytes_per_gpu["dp.all_gather"].value()));
  CHECK(a.comm_bytes_per_gpu["dp.all_gather"].value() > 0);
  CHECK(b.breakdown.dp_comm_exposed.value() > a.breakdown.dp_comm_exposed.value());
  CHECK(b.step_time_s.value() > a.step_time_s.value());
}

TEST_CASE("NVMe offload on a cluster without NVMe bandwidth is refused with a message naming the key") {
  Scenario s =
      scenario(kSmall, {"cluster=jeanzay-a100-80gb", "gpus=8", "parallel.zero_stage=3", "offload.optimizer=nvme"});
  CHECK_THROWS_WITH_AS(simulate_step(s), doctest::Contains("offload.optimizer"), ConfigError);
}

TEST_CASE("network.algorithm forces NCCL's algorithm where a collective can run it, and says where it cannot") {
  const std::vector<std::string> base = {"gpus=16", "parallel.zero_stage=1"};  // DP across 2 nodes
  auto with = [&](const std::string& algo) {
    std::vector<std::string> sets = base;
    sets.push_back("network.algorithm=" + algo);
    return simulate_step(scenario(kSmall, sets));
  };
  StepResult tuner = with("auto"), ring = with("ring"), tree = with("tree"), nvls = with("nvls");
  CHECK(tuner.warnings.empty());
  CHECK(ring.warnings.empty());
  // Tree runs all-reduce but not ZeRO-1's reduce-scatter and all-gather.
  REQUIRE_FALSE(tree.warnings.empty());
  bool names_all_gather = false;
  for (const auto& w : tree.warnings) names_all_gather |= w.find("all_gather") != std::string::npos;
  CHECK(names_all_gather);
  // NVLS needs NVSwitch gen 3 (H100): on A100 every call falls back, so the step is the tuner's.
  CHECK_FALSE(nvls.warnings.empty());
  CHECK(nvls.step_time_s.value() == tuner.step_time_s.value());
  // The forced choices change the DP traffic's time, not its bytes.
  CHECK(tree.comm_bytes_per_gpu == ring.comm_bytes_per_gpu);
  CHECK(ring.step_time_s.value() != tree.step_time_s.value());
  // Hierarchical (not NCCL's; never the tuner's choice) runs the DP calls across the 2 nodes as three calls.
  StepResult hier = with("hierarchical");
  CHECK(hier.warnings.empty());
  CHECK(hier.step_time_s.value() != tuner.step_time_s.value());
  CHECK(hier.comm_bytes_per_gpu == ring.comm_bytes_per_gpu);
}

TEST_CASE("parallel.pipeline_engine=deepspeed: blocking sends of the whole activation from every TP rank") {
  const std::vector<std::string> base = {"gpus=32", "parallel.tp=2", "parallel.pp=4"};  // PP across nodes
  auto with = [&](const std::string& engine, bool full = false) {
    std::vector<std::string> sets = base;
    sets.push_back("parallel.pipeline_engine=" + engine);
    StepOptions o;
    o.full = full;
    return simulate_step(scenario(kSmall, sets), o);
  };
  StepResult mg = with("megatron"), ds = with("deepspeed");
  check_sum(ds);
  // No scatter/gather: each TP rank sends tp times Megatron's bytes.
  CHECK(ds.comm_bytes_per_gpu.at("pp.send_recv").value() ==
        doctest::Approx(2 * mg.comm_bytes_per_gpu.at("pp.send_recv").value()));
  // The sender's stream waits for every send: exposed pipeline communication, a longer step.
  CHECK(ds.breakdown.pp_comm_exposed.value() > mg.breakdown.pp_comm_exposed.value());
  CHECK(ds.step_time_s.value() > mg.step_time_s.value());
  CHECK(ds.breakdown.compute.value() == doctest::Approx(mg.breakdown.compute.value()));
  StepResult all = with("deepspeed", true);
  CHECK(all.step_time_s.value() == ds.step_time_s.value());
}

// CUDA_LAUNCH_BLOCKING=1 (training.cuda_launch_blocking): every launch waits for
// its kernel, so the host's per-op time adds to each block, each TP collective
// costs one more op of host time, and nothing overlaps: not the TP collectives
// (tp_comm_overlap), not the gradient reduction, not the pipeline sends.
TEST_CASE("blocking launches: host time adds up and no communication overlaps compute") {
  const std::vector<std::string> tp = {"gpus=8", "parallel.tp=8", "parallel.sequence_parallel=true",
                                       "training.tp_comm_overlap=true"};
  auto with = [](std::vector<std::string> v, const std::string& extra) {
    v.push_back(extra);
    return v;
  };
  StepResult async = simulate_step(scenario(kSmall, tp));
  StepResult blocking = simulate_step(scenario(kSmall, with(tp, "training.cuda_launch_blocking=true")));
  check_sum(blocking);
  CHECK(blocking.step_time_s.value() > async.step_time_s.value());
  CHECK(blocking.breakdown.tp_comm_exposed.value() > async.breakdown.tp_comm_exposed.value());  // the overlap is gone
  CHECK(blocking.breakdown.compute.value() > async.breakdown.compute.value());  // host time per op added
  // Without host time the blocking launches cost only the lost overlap.
  StepResult no_host = simulate_step(
      scenario(kSmall, with(with(tp, "training.cuda_launch_blocking=true"), "training.host_dispatch_time=0us")));
  StepResult no_host_async = simulate_step(scenario(kSmall, with(tp, "training.host_dispatch_time=0us")));
  CHECK(no_host.breakdown.compute.value() == doctest::Approx(no_host_async.breakdown.compute.value()).epsilon(1e-12));
  // Data parallel with overlapped reduction: blocking exposes the reduction.
  const std::vector<std::string> dp = {"gpus=16", "training.global_batch=64", "training.micro_batch=2",
                                       "training.overlap_grad_reduce=true"};
  StepResult dp_async = simulate_step(scenario(kSmall, dp));
  StepResult dp_blocking = simulate_step(scenario(kSmall, with(dp, "training.cuda_launch_blocking=true")));
  CHECK(dp_blocking.breakdown.dp_comm_exposed.value() > dp_async.breakdown.dp_comm_exposed.value());
}

// Megatron's scatter/gather of pipeline tensors (tp > 1 without SP): each TP rank
// sends 1/tp of the activation, and the receiving stage all-gathers the pieces
// over TP: one all-gather of b s h per received activation or gradient. With SP
// the tensor is already split and nothing is gathered; DeepSpeed's engine sends
// the whole tensor from every rank.
TEST_CASE("pipeline scatter/gather: one TP all-gather per received tensor without SP") {
  const std::vector<std::string> base = {"gpus=4", "parallel.tp=2", "parallel.pp=2", "training.global_batch=8"};
  auto with = [&](const std::string& extra) {
    std::vector<std::string> v = base;
    v.push_back(extra);
    return v;
  };
  Scenario s = scenario(kSmall, base);
  StepResult r = simulate_step(s);
  const double m = 8, act = 2.0 * 2048 * s.model.hidden;  // micro-batches, bf16 bytes of b s h
  // Two stages: the last receives m activations, the first m gradients; each
  // stage sends m tensors (1/tp of b s h each) and, per received tensor, a
  // 2-rank ring all-gather sends half the gathered bytes.
  const double tp_ag =
      r.comm_bytes_per_gpu.count("tp.all_gather") ? r.comm_bytes_per_gpu.at("tp.all_gather").value() : 0;
  CHECK(tp_ag == doctest::Approx(m * act / 2).epsilon(1e-9));
  CHECK(r.comm_bytes_per_gpu.at("pp.send_recv").value() == doctest::Approx(m * act / 2).epsilon(1e-9));
  StepResult sp = simulate_step(scenario(kSmall, with("parallel.sequence_parallel=true")));
  StepResult ds = simulate_step(scenario(kSmall, with("parallel.pipeline_engine=deepspeed")));
  CHECK_FALSE(ds.comm_bytes_per_gpu.count("tp.all_gather"));
  CHECK(ds.comm_bytes_per_gpu.at("pp.send_recv").value() == doctest::Approx(m * act).epsilon(1e-9));
  CHECK(sp.comm_bytes_per_gpu.at("pp.send_recv").value() == doctest::Approx(m * act / 2).epsilon(1e-9));
  // With SP the only all-gathers are the layers' own, matched one for one by their reduce-scatters.
  CHECK(sp.comm_bytes_per_gpu.at("tp.all_gather").value() ==
        doctest::Approx(sp.comm_bytes_per_gpu.at("tp.reduce_scatter").value()).epsilon(1e-9));
}

// The step engine's parts (sim/workload/async_lane.hpp, breakdown_clock.hpp,
// memory_tracker.hpp), each on inputs worked out by hand.
TEST_CASE("async lanes: only dp_comm, pcie and nvme name one; the handler argument round-trips") {
  CHECK(async_lane(Lane::dp_comm) == AsyncLaneId::dp);
  CHECK(async_lane(Lane::pcie) == AsyncLaneId::pcie);
  CHECK(async_lane(Lane::nvme) == AsyncLaneId::nvme);
  for (Lane l : {Lane::compute, Lane::tp_comm, Lane::pp_p2p}) CHECK_THROWS_AS(async_lane(l), SimulationError);
  for (AsyncLaneId id : kAsyncLaneIds) CHECK(async_lane(trace_lane(id)) == id);
  for (int rank : {0, 1, 7, 16383})
    for (AsyncLaneId id : kAsyncLaneIds) {
      const LaneArg back = LaneArg::unpack(LaneArg{rank, id}.pack());
      CHECK((back.rank == rank && back.lane == id));
    }
  CHECK(LaneArg{2, AsyncLaneId::nvme}.pack() != LaneArg{3, AsyncLaneId::dp}.pack());
}

TEST_CASE("breakdown clock: each second lands in one field, and busy counts the stream's own work") {
  BreakdownClock c;
  c.computed(Category::forward, Seconds(1));
  c.computed(Category::backward, Seconds(2));
  c.computed(Category::recompute, Seconds(0.5));
  c.computed(Category::optimizer, Seconds(0.25));
  c.computed(Category::pp, Seconds(0.125));                             // a blocking send
  c.collective(GroupKind::tp, Category::tp, Seconds(0.5), Seconds(1));  // waited, then ran
  c.collective(GroupKind::shard, Category::dp, Seconds(2), Seconds(3));
  c.collective(GroupKind::world, Category::dp, Seconds(4), Seconds(1));  // waiting on other stages
  c.waited_on(AsyncLaneId::dp, Seconds(8));
  c.waited_on(AsyncLaneId::pcie, Seconds(16));
  c.waited_on(AsyncLaneId::nvme, Seconds(32));
  // Blocked at 1 s, the send began at 3 s and arrived at 5 s: 2 s bubble, 2 s exposed pipeline comm.
  c.received(SimTime::from_seconds(1), SimTime::from_seconds(3), SimTime::from_seconds(5));
  // A send that began before the receive blocked: all of the wait is pipeline comm.
  c.received(SimTime::from_seconds(6), SimTime::from_seconds(2), SimTime::from_seconds(7));
  const StepBreakdown& b = c.breakdown();
  CHECK(b.compute.value() == 3);
  CHECK(b.recompute.value() == 0.5);
  CHECK(b.optimizer.value() == 0.25);
  CHECK(b.pp_comm_exposed.value() == 0.125 + 2 + 1);
  CHECK(b.tp_comm_exposed.value() == 1.5);
  CHECK(b.dp_comm_exposed.value() == 2 + 3 + 1 + 8);
  CHECK(b.pp_bubble.value() == 4 + 2);
  CHECK(b.offload_exposed.value() == 48);
  CHECK(c.busy().value() == 3 + 0.5 + 0.25 + 0.125 + 1);
  CHECK(b.total().value() == 3 + 0.5 + 0.25 + 1.5 + 14 + 3.125 + 6 + 48);
}

TEST_CASE("memory tracker: totals with the allocator overhead, the peak and its breakdown, no kind below 0") {
  MemoryTracker m(0.1);
  CHECK(m.change(true, MemKind::params, Bytes(10)).value() == 10);
  CHECK(m.change(true, MemKind::activations, Bytes(100)).value() == doctest::Approx(120));  // 10 + 100 + 10% of 100
  CHECK(m.change(true, MemKind::zero3_gathered, Bytes(5)).value() == doctest::Approx(125));
  CHECK(m.change(false, MemKind::activations, Bytes(100)).value() == 15);
  CHECK(m.change(false, MemKind::grads, Bytes(7)).value() == 15);  // nothing to free: grads stay at 0
  CHECK(m.peak().value() == doctest::Approx(125));
  const MemoryBreakdown& at = m.at_peak();
  CHECK(at.params.value() == 10);
  CHECK(at.activations.value() == 100);
  CHECK(at.zero3_gathered.value() == 5);
  CHECK(at.comm_buffers.value() == 5);  // the gathered parameters are reported within comm_buffers
  CHECK(at.other.value() == doctest::Approx(10));
  CHECK(at.grads.value() == 0);
  CHECK(at.total().value() == doctest::Approx(m.peak().value()));
}
