// The result of simulating one training step (trainsim run): step time and
// its breakdown, per-GPU peak memory, communication volume, and the timeline
// of the GPUs that were simulated (for trace.json). docs/design.md §3 "Outputs".
// Times are Seconds and sizes Bytes (sim/core/quantity.hpp); writers take
// .value() where they print.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <map>
#include <string>
#include <vector>

#include "sim/core/quantity.hpp"
#include "sim/spec/run_assumptions.hpp"
#include "sim/spec/scenario.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/memory/model_states.hpp"
#include "sim/parallel/layout.hpp"

namespace trainsim {

// One engine of a GPU: a thread in trace.json. `host` is the node's CPU
// working for this GPU (CPU-Adam of optimizer offload): a thread of the trace
// only, the compute stream waits on it.
enum class Lane { compute, tp_comm, dp_comm, pp_p2p, pcie, nvme, host };
const char* to_string(Lane l);

// Where each second of the step went on the GPU that finishes last; the
// fields sum to step_time_s (summary.json breakdown_s).
struct StepBreakdown {
  Seconds compute;          // forward and backward compute, embedding, output, loss
  Seconds recompute;        // forward work re-run in backward
  Seconds tp_comm_exposed;  // tensor/context-parallel collectives on the compute stream's critical path
  Seconds pp_bubble;        // idle waiting on another pipeline stage's compute
  Seconds pp_comm_exposed;  // idle waiting on a pipeline send in flight
  Seconds dp_comm_exposed;  // idle waiting on gradient reduction / parameter gathers
  Seconds offload_exposed;  // idle waiting on PCIe / NVMe offload traffic
  Seconds optimizer;        // optimizer step (and gradient clipping)
  // (summary.json breakdown_s key, seconds) in field order: the one list every
  // writer (summary.json, validate's JSON, sweep's CSV columns) uses.
  std::array<std::pair<const char*, double>, 8> items() const {
    return {{{"compute", compute.value()},
             {"recompute", recompute.value()},
             {"tp_comm_exposed", tp_comm_exposed.value()},
             {"pp_bubble", pp_bubble.value()},
             {"pp_comm_exposed", pp_comm_exposed.value()},
             {"dp_comm_exposed", dp_comm_exposed.value()},
             {"offload_exposed", offload_exposed.value()},
             {"optimizer", optimizer.value()}}};
  }
  Seconds total() const {
    return compute + recompute + tp_comm_exposed + pp_bubble + pp_comm_exposed + dp_comm_exposed + offload_exposed +
           optimizer;
  }
};

// A span of work on one lane of one simulated GPU (seconds from step start).
struct TraceSpan {
  int rank = 0;
  Lane lane = Lane::compute;
  std::string name;      // "L12 attn fwd", "all_gather L12 params 1.7 GB ring", "cpu adam", ... (chrome_trace.hpp)
  std::string category;  // "forward", "backward", "recompute", "tp", "dp", "pp", "optimizer"
  Seconds start_s;
  Seconds end_s;
  int micro_batch = -1;   // the pass's micro-batch, -1 when the span belongs to none
  int chunk = -1;         // its model chunk (interleaved schedule), -1 when none
  double flops = 0;       // compute: FLOPs one GPU executes in the span (0: not known)
  double bytes = 0;       // collectives (nccl-tests size), copies and sends: bytes (0: none)
  std::string algorithm;  // collectives: NCCL's algorithm ("ring", "tree", ...)
  std::string pass;       // the pass it belongs to ("F mb3 c0"), "" when none
};

// A pipeline send: an arrow from the sender's span to the receiver's.
struct TraceFlow {
  int id = 0;
  int src_rank = 0;
  Seconds src_s;  // send start
  int dst_rank = 0;
  Seconds dst_s;  // arrival
  std::string name;
};

// HBM in use on one simulated GPU after a change (counter track).
struct MemorySample {
  int rank = 0;
  Seconds t_s;
  Bytes bytes;
};

struct GpuStats {
  int rank = 0;  // global rank = GPU index (node-major)
  RankCoord coord;
  int node = 0;
  int local_gpu = 0;        // index inside the node
  Bytes peak_bytes;         // peak allocated HBM over the step
  MemoryBreakdown at_peak;  // breakdown at that GPU's peak instant
  Seconds busy_s;           // compute stream busy (compute + recompute + exposed TP comm + optimizer)
  Seconds idle_s;           // step_time_s - busy_s
  bool simulated = true;    // false: a copy of the symmetric representative with the same role
};

struct StepResult {
  std::string scenario;  // file or name
  std::string model;
  std::string cluster;
  std::string gpu;
  ParallelPlan parallel;  // resolved layout
  TrainingPlan training;
  MemoryConvention convention = MemoryConvention::megatron;  // model-state accounting used
  ConventionStatement convention_statement;                  // the same, with its source and bytes per parameter
  int gpus = 0;
  int nodes = 0;
  int micro_batches = 0;  // per step per pipeline
  std::int64_t params_total = 0;

  Seconds step_time_s;
  double tokens_per_s = 0;
  double model_flops_per_step = 0;     // Megatron num_floating_point_operations (docs/reference/formulas.md §1)
  double model_tflops_per_gpu = 0;     // model FLOPs / (step time x GPUs) / 1e12
  double hardware_tflops_per_gpu = 0;  // FLOPs executed including recompute / (step time x GPUs) / 1e12
  // model FLOPs / (step time x GPUs x dense peak): the precision's peak, and the
  // BF16 peak for FP8 runs (docs/reference/formulas.md §1 defines MFU against the BF16 dense peak).
  double mfu = 0;
  StepBreakdown breakdown;
  int critical_rank = 0;  // the GPU whose timeline the breakdown describes

  Bytes peak_memory_bytes;  // max over GPUs
  int peak_rank = 0;
  MemoryBreakdown memory_at_peak;
  Bytes gpu_memory_bytes;
  Bytes host_memory_peak_bytes_per_node;  // offloaded states + pinned swap buffers (memory_model.hpp)
  Bytes nvme_peak_bytes_per_node;
  Bytes host_memory_bytes_per_node;    // the node's DRAM (cluster card)
  Bytes nvme_capacity_bytes_per_node;  // the node's NVMe capacity for offload
  MemoryVerdict verdict;               // judge_memory(memory_needs()): GPU, host and NVMe
  bool fits() const { return verdict.fits(); }
  MemoryNeeds memory_needs() const {
    return {peak_memory_bytes,          gpu_memory_bytes,         host_memory_peak_bytes_per_node,
            host_memory_bytes_per_node, nvme_peak_bytes_per_node, nvme_capacity_bytes_per_node};
  }
  // Offload traffic of one GPU per step (the critical rank's stage; offload_plan.hpp).
  Bytes offload_pcie_d2h_bytes_per_gpu;
  Bytes offload_pcie_h2d_bytes_per_gpu;
  Bytes offload_nvme_read_bytes_per_gpu;
  Bytes offload_nvme_write_bytes_per_gpu;

  // Bytes each GPU sends per step, by collective kind ("all_reduce", "all_gather",
  // "reduce_scatter", "send_recv") and group ("tp", "dp", "pp", "cp"): key "dp.all_reduce".
  // Summed over GPUs of the critical rank's role; ring algorithms' per-GPU send volume.
  std::map<std::string, Bytes> comm_bytes_per_gpu;

  std::vector<GpuStats> per_gpu;  // every GPU, rank order
  bool full_simulation = false;   // --full: every GPU simulated
  int simulated_gpus = 0;
  std::uint64_t events = 0;  // engine events processed

  // Timeline of the simulated GPUs (empty unless requested).
  std::vector<TraceSpan> spans;
  std::vector<TraceFlow> flows;
  std::vector<MemorySample> memory_samples;

  // What the run could not do as asked (e.g. a forced NCCL algorithm a
  // collective cannot run), one line each; the CLI prints them to stderr.
  std::vector<std::string> warnings;

  // The assumptions the verdict depended on (sim/spec/run_assumptions.hpp):
  // the card's assumed values the step read, and the loader's defaults.
  RunAssumptions assumptions;
};

}  // namespace trainsim
