// Property tests of the step simulator and the network (issue 9): random valid
// layouts of random small models on DGX A100 / H100 clusters (8 to 256 GPUs),
// drawn from a fixed seed so every run checks the same cases, and filtered by
// check_layout. Each property is stated where it is checked:
//  - step time >= the compute-only step (ideal_network), and >= the bytes a
//    GPU sends over the most it can push out of itself at once (egress bound);
//  - scaling every link's bandwidth, or every peak FLOP/s, by 2 never makes
//    the step slower;
//  - every GPU's simulated peak >= its stage's model-state bytes (sim/memory);
//  - symmetric and full simulations agree (up to 32 GPUs);
//  - analytical and flow collectives agree when nothing contends;
//  - identical runs give byte-identical summary.json text.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "sim/load/hardware_loader.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/config/model_check.hpp"
#include "sim/load/zoo.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/net/collective_flow.hpp"
#include "sim/report/step_report.hpp"
#include "sim/topology/topology.hpp"
#include "sim/workload/step_sim.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

constexpr std::uint64_t kSeed = 20260909;  // fixed: the same cases on every run
constexpr double kRelTol = 1e-9;           // floating-point slack of the comparisons

using test::zoo;

template <class T>
T pick(std::mt19937_64& rng, std::initializer_list<T> values) {
  std::uniform_int_distribution<std::size_t> d(0, values.size() - 1);
  return *(values.begin() + d(rng));
}

// A random small decoder (2..24 layers, hidden 512..4096, MHA or GQA).
ModelSpec random_model(std::mt19937_64& rng, int seq_len) {
  ModelSpec m;
  m.name = "random";
  m.source = "property_test";
  m.layers = pick(rng, {2, 4, 6, 8, 12, 16, 24});
  m.heads = pick(rng, {8, 16, 32});
  m.head_dim = pick(rng, {64, 128});
  m.hidden = m.heads * m.head_dim;
  m.kv_heads = pick(rng, {m.heads, m.heads / 4, 8});
  m.mlp = pick(rng, {MlpKind::gelu, MlpKind::relu, MlpKind::swiglu});
  m.ffn = m.mlp == MlpKind::swiglu ? (8 * m.hidden / 3 + 255) / 256 * 256 : 4 * m.hidden;
  m.vocab = pick(rng, {32000, 50304, 51200});
  m.position = pick(rng, {PositionKind::learned, PositionKind::rope, PositionKind::alibi});
  m.max_position = std::max(seq_len, 2048);
  m.norm = pick(rng, {NormKind::layernorm, NormKind::rmsnorm});
  m.tied_embeddings = pick(rng, {true, false});
  m.bias = pick(rng, {true, false});
  m.dropout = pick(rng, {true, false});
  return m;
}

// A random layout on `max_gpus` GPUs at most, or nullopt when the draw is
// invalid (the loader or check_layout refuses it).
std::optional<Scenario> random_scenario(std::mt19937_64& rng, int max_gpus) {
  const char* cluster = pick(rng, {"dgx-a100-80gb", "dgx-h100-80gb"});
  const int gpus = pick(rng, {8, 16, 24, 32, 64, 128, 256});
  if (gpus > max_gpus) return std::nullopt;
  const int tp = pick(rng, {1, 2, 4, 8}), pp = pick(rng, {1, 2, 4}), cp = pick(rng, {1, 1, 2});
  const int vp = pp > 1 ? pick(rng, {1, 1, 2}) : 1;
  const int mb = pick(rng, {1, 2}), seq = pick(rng, {512, 1024, 2048});
  if (gpus % (tp * pp * cp) != 0) return std::nullopt;
  const int dp = gpus / (tp * pp * cp);
  const int micro_batches = pick(rng, {1, 2, 4, 8});
  const std::string precision =
      std::string(cluster) == "dgx-h100-80gb" ? pick(rng, {"bf16", "fp16", "fp8"}) : pick(rng, {"bf16", "fp16"});
  std::vector<std::string> sets = {
      "cluster=" + std::string(cluster),
      "gpus=" + std::to_string(gpus),
      "parallel.tp=" + std::to_string(tp),
      "parallel.pp=" + std::to_string(pp),
      "parallel.cp=" + std::to_string(cp),
      "parallel.vp=" + std::to_string(vp),
      "parallel.zero_stage=" + std::to_string(pick(rng, {0, 1, 2, 3})),
      "parallel.sequence_parallel=" + std::string(tp > 1 && pick(rng, {true, false}) ? "true" : "false"),
      "training.seq_len=" + std::to_string(seq),
      "training.micro_batch=" + std::to_string(mb),
      "training.global_batch=" + std::to_string(mb * dp * micro_batches),
      "training.recompute=" + std::string(pick(rng, {"none", "selective", "full"})),
      "training.precision=" + precision,
      "training.overlap_grad_reduce=" + std::string(pick(rng, {"true", "false"})),
      "memory.convention=" + std::string(pick(rng, {"megatron", "deepspeed"}))};
  if (vp > 1)
    sets.push_back("parallel.schedule=interleaved-1f1b");
  else if (pp > 1)
    sets.push_back("parallel.schedule=" + std::string(pick(rng, {"1f1b", "gpipe"})));
  ModelSpec model = random_model(rng, seq);
  Scenario s;
  try {
    // The base model has 24 layers and 24 heads: most draws pass the loader;
    // the random model then replaces it and check_layout filters again.
    s = load_scenario_string("model: megatron-gpt-1.7b\ntraining: {global_batch: 1}\n", "property.yaml", sets, zoo());
    check_model(model, "property.yaml");
  } catch (const ConfigError&) {
    return std::nullopt;
  }
  s.model = model;
  if (!check_layout(s).empty()) return std::nullopt;
  return s;
}

// `count` valid random scenarios of at most `max_gpus` GPUs, from `seed`.
std::vector<Scenario> random_scenarios(std::uint64_t seed, int count, int max_gpus) {
  std::mt19937_64 rng(seed);
  std::vector<Scenario> out;
  for (int draws = 0; static_cast<int>(out.size()) < count; ++draws) {
    REQUIRE(draws < 200 * count);  // the generator must not starve
    if (auto s = random_scenario(rng, max_gpus)) out.push_back(std::move(*s));
  }
  return out;
}

std::string describe(const Scenario& s) {
  const ParallelPlan& p = s.parallel;
  return s.cluster.name + " gpus=" + std::to_string(s.gpus) + " L=" + std::to_string(s.model.layers) +
         " h=" + std::to_string(s.model.hidden) + " a=" + std::to_string(s.model.heads) + "/" +
         std::to_string(s.model.kv_heads) + " tp=" + std::to_string(p.tp) + " pp=" + std::to_string(p.pp) +
         " dp=" + std::to_string(p.dp) + " cp=" + std::to_string(p.cp) + " vp=" + std::to_string(p.vp) +
         " zero=" + std::to_string(p.zero_stage) + " sp=" + std::to_string(p.sequence_parallel) +
         " mb=" + std::to_string(s.training.micro_batch) + " gb=" + std::to_string(s.training.global_batch) +
         " seq=" + std::to_string(s.training.seq_len) + " " + to_string(s.training.precision) + " " +
         to_string(s.training.recompute) + " " + to_string(s.parallel.schedule) + " " + to_string(s.memory.convention);
}

// Every link of the cluster `k` times faster (latencies unchanged).
Scenario scale_links(Scenario s, double k) {
  NodeSpec& n = s.cluster.node;
  n.nvswitch.bandwidth = n.nvswitch.bandwidth * k;
  n.pcie.bandwidth = n.pcie.bandwidth * k;
  n.nics.bandwidth = n.nics.bandwidth * k;
  n.cpu_interconnect = n.cpu_interconnect * k;
  n.host_memory_bandwidth = n.host_memory_bandwidth * k;
  n.nvme_read = n.nvme_read * k;
  n.nvme_write = n.nvme_write * k;
  return s;
}

// Every tensor- and CUDA-core peak `k` times higher (HBM unchanged).
Scenario scale_flops(Scenario s, double k) {
  GpuSpec& g = s.cluster.node.gpu;
  g.peak_fp32 = g.peak_fp32 * k;
  g.peak_tf32 = g.peak_tf32 * k;
  g.peak_fp16 = g.peak_fp16 * k;
  g.peak_bf16 = g.peak_bf16 * k;
  if (g.peak_fp8) g.peak_fp8 = *g.peak_fp8 * k;
  return s;
}

// The most bytes per second one GPU can push out of itself: its NVLink port
// (twice that with NVLink SHARP, whose switch-side reduction lets an
// all-reduce send half the ring volume that comm_bytes_per_gpu counts), plus
// its PCIe link, plus its share of the node's NICs (counted on top of PCIe
// although NIC traffic crosses PCIe: a generous, hence safe, upper bound).
double egress_bound(const Scenario& s) {
  const NodeSpec& n = s.cluster.node;
  const double nvlink = n.nvswitch.bandwidth.value() * (n.nvswitch.nvls ? 2.0 : 1.0);
  const double nics = n.nics.bandwidth.value() * n.nics.count / n.gpus;
  return nvlink + n.pcie.bandwidth.value() + nics;
}

double total_comm_bytes(const StepResult& r) {
  double sum = 0;
  for (const auto& [kind, bytes] : r.comm_bytes_per_gpu) sum += bytes.value();
  return sum;
}

}  // namespace

TEST_CASE("step time is bounded below by the compute-only step and by the bytes each GPU sends") {
  int checked = 0;
  for (const Scenario& s : random_scenarios(kSeed, 250, 256)) {
    CAPTURE(describe(s));
    const StepResult r = simulate_step(s);
    StepOptions ideal;
    ideal.ideal_network = true;
    const StepResult compute_only = simulate_step(s, ideal);
    CHECK(r.step_time_s.value() >= compute_only.step_time_s.value() * (1 - kRelTol));
    const double egress_s = total_comm_bytes(r) / egress_bound(s);
    CAPTURE(egress_s);
    CHECK(r.step_time_s.value() >= egress_s * (1 - kRelTol));
    ++checked;
  }
  CHECK(checked == 250);
}

TEST_CASE("more bandwidth or faster GPUs never make a step slower") {
  for (const Scenario& s : random_scenarios(kSeed + 1, 200, 256)) {
    CAPTURE(describe(s));
    const double base = simulate_step(s).step_time_s.value();
    const double fast_links = simulate_step(scale_links(s, 2.0)).step_time_s.value();
    const double fast_gpus = simulate_step(scale_flops(s, 2.0)).step_time_s.value();
    CHECK(fast_links <= base * (1 + kRelTol));
    CHECK(fast_gpus <= base * (1 + kRelTol));
  }
}

TEST_CASE("every GPU's simulated peak holds at least its stage's model states") {
  for (const Scenario& s : random_scenarios(kSeed + 2, 250, 256)) {
    CAPTURE(describe(s));
    const StepResult r = simulate_step(s);
    const MemoryResult m = compute_memory(s);
    for (const GpuStats& g : r.per_gpu) {
      const MemoryBreakdown& st = m.stages.at(static_cast<std::size_t>(g.coord.pp)).peak;
      const double states = (st.params + st.grads + st.optimizer_states).value();
      CAPTURE(g.rank);
      REQUIRE(g.peak_bytes.value() >= states * (1 - kRelTol));
    }
  }
}

TEST_CASE("symmetric and full simulations agree on random layouts up to 32 GPUs") {
  for (const Scenario& s : random_scenarios(kSeed + 3, 100, 32)) {
    CAPTURE(describe(s));
    const StepResult sym = simulate_step(s);
    StepOptions full;
    full.full = true;
    const StepResult all = simulate_step(s, full);
    CHECK(sym.step_time_s.value() == all.step_time_s.value());
    CHECK(sym.peak_memory_bytes.value() == all.peak_memory_bytes.value());
    CHECK(sym.breakdown.total().value() == doctest::Approx(all.breakdown.total().value()).epsilon(kRelTol));
    REQUIRE(sym.per_gpu.size() == all.per_gpu.size());
    for (std::size_t i = 0; i < sym.per_gpu.size(); ++i)
      CHECK(sym.per_gpu[i].peak_bytes.value() == all.per_gpu[i].peak_bytes.value());
  }
}

TEST_CASE("analytical and flow collectives agree on an idle network") {
  std::mt19937_64 rng(kSeed + 4);
  std::uniform_real_distribution<double> log_bytes(std::log(1e3), std::log(8e9));
  const ClusterSpec a100 = load_cluster_card((zoo().root() / "topologies/dgx-a100-80gb.yaml").string(), zoo());
  const ClusterSpec h100 = load_cluster_card((zoo().root() / "topologies/dgx-h100-80gb.yaml").string(), zoo());
  for (int i = 0; i < 400; ++i) {
    const ClusterSpec& c = pick(rng, {0, 1}) ? h100 : a100;
    const int ranks = pick(rng, {2, 4, 8, 16, 32, 64});
    const CollectiveOp op =
        pick(rng, {CollectiveOp::all_reduce, CollectiveOp::all_gather, CollectiveOp::reduce_scatter});
    const double bytes = std::round(std::exp(log_bytes(rng)) / 1024) * 1024;
    CAPTURE(c.name);
    CAPTURE(ranks);
    CAPTURE(to_string(op));
    CAPTURE(bytes);
    const double analytical = predict_collective(c, {op, ranks, bytes, std::nullopt, std::nullopt}).time_s;
    std::vector<int> gpus(static_cast<std::size_t>(ranks));
    std::iota(gpus.begin(), gpus.end(), 0);
    const auto topology = build_topology(c, (ranks + c.node.gpus - 1) / c.node.gpus);
    const FlowCollectiveResult flow = simulate_collectives(*topology, {{op, gpus, bytes}}).at(0);
    CHECK(flow.stretch == doctest::Approx(1.0).epsilon(kRelTol));
    CHECK(flow.result.time_s == doctest::Approx(analytical).epsilon(kRelTol));
  }
}

TEST_CASE("identical runs give byte-identical summaries") {
  for (const Scenario& s : random_scenarios(kSeed + 5, 100, 256)) {
    CAPTURE(describe(s));
    const std::string first = step_summary_json(simulate_step(s)).dump();
    const std::string second = step_summary_json(simulate_step(s)).dump();
    CHECK(first == second);
  }
}

TEST_CASE("the random layouts cover the layout space the properties claim") {
  int pp = 0, vp = 0, cp = 0, zero3 = 0, sp = 0, multi_node = 0, fp8 = 0, gqa = 0, big = 0;
  for (const Scenario& s : random_scenarios(kSeed, 150, 256)) {
    pp += s.parallel.pp > 1;
    vp += s.parallel.vp > 1;
    cp += s.parallel.cp > 1;
    zero3 += s.parallel.zero_stage == 3;
    sp += s.parallel.sequence_parallel;
    multi_node += s.nodes > 1;
    fp8 += s.training.precision == Precision::fp8;
    gqa += s.model.kv_heads < s.model.heads;
    big += s.gpus >= 128;
  }
  MESSAGE("of 150: pp>1 ", pp, ", vp>1 ", vp, ", cp>1 ", cp, ", zero3 ", zero3, ", sp ", sp, ", multi-node ",
          multi_node, ", fp8 ", fp8, ", gqa ", gqa, ", >=128 GPUs ", big);
  for (int n : {pp, vp, cp, zero3, sp, multi_node, fp8, gqa, big}) CHECK(n >= 5);
}
