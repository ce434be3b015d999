#include "sim/workload/step_sim.hpp"

#include <algorithm>

#include "sim/core/error.hpp"
#include "sim/spec/limits.hpp"
#include "sim/core/sim_error.hpp"
#include "sim/core/work_budget.hpp"
#include "sim/workload/duration_check.hpp"
#include "sim/workload/moe_plan.hpp"
#include "sim/spec/plausibility.hpp"
#include "sim/workload/program_builder.hpp"
#include "sim/workload/step_engine.hpp"
#include "sim/workload/step_plan.hpp"

namespace trainsim {
namespace {

// NVMe offload needs drives with a bandwidth on the cluster card.
void refuse_unsupported(const Scenario& s) {
  const bool nvme = s.offload.optimizer == OffloadDevice::nvme || s.offload.params == OffloadDevice::nvme;
  if (nvme && (s.cluster.node.nvme_read.value() <= 0 || s.cluster.node.nvme_write.value() <= 0)) {
    const char* key = s.offload.optimizer == OffloadDevice::nvme ? "offload.optimizer" : "offload.params";
    throw ConfigError(s.where(key), "cluster " + s.cluster.name +
                                        " has no NVMe bandwidth (node.nvme_read / node.nvme_write); offload to cpu, "
                                        "or use a cluster card with NVMe drives");
  }
}

void fill_header(const Scenario& s, StepResult& r) {
  r.scenario = s.file;
  r.model = s.model.name;
  r.cluster = s.cluster.name;
  r.gpu = s.cluster.node.gpu.name;
  r.parallel = s.parallel;
  r.training = s.training;
  r.convention = s.memory.convention;
  r.convention_statement = state_convention(s);
  r.gpus = s.gpus;
  r.nodes = s.nodes;
  r.micro_batches = s.num_micro_batches();
  r.assumptions = run_assumptions(s);
}

void fill_time(const Scenario& s, const EngineRun& run, const std::vector<StageProgram>& progs, StepResult& r) {
  const SimulatedGpu* critical = &run.gpus.front();
  for (const SimulatedGpu& g : run.gpus)
    if (g.end_s > critical->end_s) critical = &g;
  r.step_time_s = critical->end_s;
  r.breakdown = critical->breakdown;
  r.critical_rank = critical->rank;
  r.comm_bytes_per_gpu = progs[critical->stage].comm_bytes;
  const auto& off = progs[critical->stage].offload_bytes;
  r.offload_pcie_d2h_bytes_per_gpu = off[static_cast<int>(CopyKind::d2h)];
  r.offload_pcie_h2d_bytes_per_gpu = off[static_cast<int>(CopyKind::h2d)];
  r.offload_nvme_read_bytes_per_gpu = off[static_cast<int>(CopyKind::nvme_read)];
  r.offload_nvme_write_bytes_per_gpu = off[static_cast<int>(CopyKind::nvme_write)];
  const double step_s = r.step_time_s.value();
  r.tokens_per_s = static_cast<double>(s.training.global_batch) * s.training.seq_len / step_s;
  r.model_flops_per_step = model_flops_per_step(s);
  double hw = 0;
  for (const StageProgram& p : progs) hw += p.hardware_flops;
  hw *= static_cast<double>(s.gpus) / s.parallel.pp;
  r.model_tflops_per_gpu = r.model_flops_per_step / step_s / s.gpus / 1e12;
  r.hardware_tflops_per_gpu = hw / step_s / s.gpus / 1e12;
  const Precision dense = quantized_gemms(s.training.precision) ? Precision::bf16 : s.training.precision;
  r.mfu = r.model_flops_per_step / (step_s * s.gpus * s.cluster.node.gpu.peak(dense).value());
}

void fill_gpus(const Scenario& s, const StepPlan& plan, const EngineRun& run, StepResult& r) {
  const Layout& l = plan.layout;
  std::vector<const SimulatedGpu*> by_rank(l.world(), nullptr), by_stage(l.size(Dim::pp), nullptr);
  for (const SimulatedGpu& g : run.gpus) {
    by_rank[g.rank] = &g;
    if (!by_stage[g.stage]) by_stage[g.stage] = &g;
  }
  r.per_gpu.reserve(l.world());
  for (int rank = 0; rank < l.world(); ++rank) {
    GpuStats st;
    st.rank = rank;
    st.coord = l.coord(rank);
    st.node = l.node(rank);
    st.local_gpu = l.local_gpu(rank);
    st.simulated = by_rank[rank] != nullptr;
    const SimulatedGpu& g = st.simulated ? *by_rank[rank] : *by_stage[st.coord.pp];
    st.peak_bytes = g.peak_bytes;
    st.at_peak = g.at_peak;
    st.busy_s = g.busy_s;
    st.idle_s = r.step_time_s - g.busy_s;
    if (st.peak_bytes > r.peak_memory_bytes) {
      r.peak_memory_bytes = st.peak_bytes;
      r.peak_rank = rank;
      r.memory_at_peak = st.at_peak;
    }
    r.per_gpu.push_back(st);
  }
  r.gpu_memory_bytes = plan.memory.gpu_memory;
  r.host_memory_peak_bytes_per_node = plan.memory.host_peak_per_node;
  r.nvme_peak_bytes_per_node = plan.memory.nvme_peak_per_node;
  r.host_memory_bytes_per_node = s.cluster.node.host_memory;
  r.nvme_capacity_bytes_per_node = s.cluster.node.nvme_capacity;
  r.verdict = judge_memory(r.memory_needs());
}

// A timeline (spans, flows, memory samples) grows with layer passes x the
// simulated GPUs of each stage; refuse one past kMaxTracedLayerPasses.
void refuse_huge_timeline(const Scenario& s, const StepOptions& options) {
  if (!options.record_timeline) return;
  const double per_stage = options.full ? static_cast<double>(s.gpus) / s.parallel.pp : 1.0;
  const double traced = static_cast<double>(s.num_micro_batches()) * s.model.layers * per_stage;
  if (traced <= kMaxTracedLayerPasses) return;
  throw ConfigError(s.where("training.global_batch"),
                    "a timeline (--trace, --out) of " + std::to_string(static_cast<long long>(traced)) +
                        " layer passes x simulated GPUs per stage is past the limit of " +
                        std::to_string(static_cast<long long>(kMaxTracedLayerPasses)) +
                        " (a memory bound, docs/limits.md); drop --full, or run without --trace/--out, "
                        "or lower training.global_batch");
}

}  // namespace

double model_flops_per_step(const Scenario& s) {
  const ModelSpec& m = s.model;
  if (m.is_moe() || m.is_mla()) return sparse_model_flops_per_step(s);
  const double B = s.training.global_batch, seq = s.training.seq_len, L = m.layers, h = m.hidden;
  const double q = static_cast<double>(m.head_dim) * m.heads;
  const double glu = m.mlp == MlpKind::swiglu ? 1.5 : 1.0;
  const FineTuning& f = s.training.finetune;
  // Packed sequences: attention over sum s_i^2 = seq x pack_mean_seq_len per row.
  const double attn = (f.packed ? f.pack_mean_seq_len : seq) / h;
  const double gqa = static_cast<double>(m.kv_heads) / m.heads;
  if (f.lora()) {
    // Megatron-Bridge's LoRA convention (src/megatron/bridge/training/utils/
    // flop_utils.py num_floating_point_operations, LoRA branch): the frozen
    // GEMMs count 2/3 (forward and dgrad, no wgrad), the attention core in
    // full, the adapters not at all.
    const double frozen = (1.0 + gqa) * (q / h) + (m.ffn / h) * glu + m.vocab / (2.0 * L * h);
    return 12.0 * B * seq * L * h * h * (frozen * (2.0 / 3.0) + attn * (q / h));
  }
  const double terms = (1.0 + gqa + attn) * (q / h) + (m.ffn / h) * glu + m.vocab / (2.0 * L * h);
  return 12.0 * B * seq * L * h * h * terms;
}

namespace {

// The engine's run of `programs`; a step that outlasts the simulated clock
// (each piece of work fits, their sum does not) is bad input naming its
// longest piece (duration_check.hpp), any other clock error a bug.
EngineRun run_checked(const StepPlan& plan, const std::vector<StageProgram>& programs, const RunOptions& o) {
  try {
    return run_step(plan, programs, o);
  } catch (const SimTimeError&) {
    if (total_work_seconds(programs) >= clock_range_seconds()) throw_step_out_of_range(programs);
    throw;
  } catch (const ScheduleError&) {
    if (total_work_seconds(programs) >= clock_range_seconds()) throw_step_out_of_range(programs);
    throw;
  }
}

// The NIC traffic each inter-node DP collective draws alone, where it shares
// the GPU's PCIe link with offload copies (OffloadRates::nic_share).
void set_nic_rates(const StepPlan& plan, CommCost& comm, std::vector<StageProgram>& programs) {
  if (!plan.offload.active || plan.shard_group.nodes <= 1) return;
  for (StageProgram& prog : programs)
    for (Instr& in : prog.instrs)
      if (in.kind == InstrKind::launch && in.group == GroupKind::shard)
        in.nic_rate = comm.nic_rate(in.op, in.bytes, plan.shard_group);
}

StepResult simulate_step_unchecked(const Scenario& s, const StepOptions& options) {
  refuse_unsupported(s);
  refuse_huge_timeline(s, options);
  // --max-events and --timeout cover planning too (docs/limits.md "Guards").
  WorkBudget budget(options.max_events, options.timeout_s);
  CommCost comm(s.cluster, options.ideal_network, s.network.algorithm, s.network.protocol);
  StepPlan plan = make_step_plan(s, comm);
  budget.check_clock();
  std::vector<StageProgram> programs = build_programs(s, plan, comm, options.record_timeline, &budget);
  set_nic_rates(plan, comm, programs);
  RunOptions run_options;
  run_options.coverage = options.full ? Coverage::every_gpu : Coverage::one_per_stage;
  run_options.record_timeline = options.record_timeline;
  run_options.limits.max_events = options.max_events;
  run_options.limits.wall_time_limit_s = budget.remaining_s();
  EngineRun run = run_checked(plan, programs, run_options);
  StepResult r;
  fill_header(s, r);
  r.params_total = plan.memory.params_total;
  fill_time(s, run, programs, r);
  fill_gpus(s, plan, run, r);
  r.full_simulation = options.full;
  r.simulated_gpus = static_cast<int>(run.gpus.size());
  r.events = run.events;
  r.spans = std::move(run.spans);
  r.flows = std::move(run.flows);
  r.memory_samples = std::move(run.memory);
  r.warnings.assign(comm.fallbacks().begin(), comm.fallbacks().end());
  if (std::string w = implausible_mfu(r.mfu, s.training.compute_profile); !w.empty()) r.warnings.push_back(w);
  return r;
}

}  // namespace

StepResult simulate_step(const Scenario& s, const StepOptions& options) {
  try {
    return simulate_step_unchecked(s, options);
  } catch (const DurationOutOfRange& e) {
    throw ConfigError(s.where(e.key()), e.what());
  }
}

}  // namespace trainsim
