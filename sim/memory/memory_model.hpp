// The analytic per-GPU memory model: for every pipeline stage, the bytes one
// GPU of that stage holds at its peak, by kind, and the maximum over GPUs.
//
// Each stage is evaluated at two instants and its peak is the larger:
//  - backward: model states (model_states.hpp) + activations of the
//    micro-batches in flight (inflight.hpp, activations.hpp) + the transient
//    memory of one layer's backward + backward-time communication buffers
//    (comm_buffers.hpp) + with ZeRO-3 the most gathered parameters and unit
//    gradients of a backward pass (zero3_gathers.hpp; in comm_buffers) + other;
//  - step: model states + step-time communication buffers + other, after the
//    last backward has freed the activations.
// Activations of a stage: per chunk, in-flight micro-batches x layers x the
// stored bytes of a layer; the first stage adds the embedding's activations
// and the last stage the output layer and loss (for their in-flight
// micro-batches); with the deepspeed convention, stages other than the last
// also keep each in-flight micro-batch's stage output in the pipeline engine's
// buffers (DeepSpeed PipelineEngine keeps `outputs` until the backward;
// Megatron frees them after the send, deallocate_pipeline_outputs).
// FP8 (Transformer Engine recipes, ZeRO < 3): params add the FP8 weight
// cache of the stage's linear weights (activations.hpp fp8_weight_cache_bytes).
// other = memory.cuda_context + memory.allocator_overhead x activations
// (stated assumptions, results/calibration.md).
// ZeRO-3: tensors smaller than memory.param_persistence_threshold (norms,
// biases) stay gathered on every GPU (DeepSpeed persistent parameters) and
// add to params.
// Host memory and NVMe per GPU (offload): the offloaded model states
// (model_states.hpp) plus DeepSpeed's pinned swap buffers: NVMe optimizer
// offload offload.optimizer_buffer_count buffers of one sub-group's fp32
// elements (swap_tensor/partitioned_optimizer_swapper.py SwapBufferManager,
// largest sub-group x buffer_count); NVMe parameter offload
// offload.param_buffer_count buffers of offload.param_buffer_size 16-bit
// elements (swap_tensor/partitioned_param_swapper.py). Per node: x GPUs per node.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/spec/scenario.hpp"
#include "sim/core/quantity.hpp"

namespace trainsim {

// Bytes on one GPU, by kind (docs/design.md §3, summary.json memory_at_peak_bytes).
struct MemoryBreakdown {
  Bytes params;
  Bytes grads;
  Bytes optimizer_states;
  Bytes activations;
  Bytes comm_buffers;
  Bytes other;
  // Of comm_buffers (not counted again by total()): ZeRO-3 gathered
  // (unpartitioned) parameters of the units live at this instant.
  Bytes zero3_gathered;
  Bytes total() const { return params + grads + optimizer_states + activations + comm_buffers + other; }
};

enum class MemoryPhase { backward, step };
const char* to_string(MemoryPhase p);

// One pipeline stage (all GPUs of a stage hold the same).
struct StageMemory {
  int stage = 0;                     // pipeline rank, 0 = first
  int layers = 0;                    // transformer layers over all model chunks
  bool has_embedding = false;        // holds the input embedding (first stage)
  bool has_output = false;           // holds the output layer and loss (last stage)
  std::int64_t params = 0;           // parameters of the model-parallel shard (TP rank of this stage)
  std::int64_t params_resident = 0;  // of which this GPU owns (params / (dp x cp) with ZeRO-3)
  std::int64_t trainable = 0;        // of `params`, those that train: all, or the LoRA adapters (lora.hpp)
  int in_flight = 0;                 // (chunk-)micro-batches whose activations are held at the peak
  MemoryPhase peak_phase = MemoryPhase::backward;
  MemoryBreakdown peak;  // breakdown at this stage's peak
  Bytes host_offload;    // bytes of this GPU kept in host memory (offload)
  Bytes nvme_offload;    // bytes of this GPU kept on NVMe (offload)
};

// The memory verdict of a plan (issue 18, docs/design.md §3): the GPU's HBM,
// the node's host DRAM and the node's NVMe must each hold what the plan keeps
// there. fits() is the one answer every command gives (run, mem, sweep,
// advise, validate, --fail-on-oom); the three parts say which does not fit.
struct MemoryVerdict {
  bool gpu_fits = true;   // peak per GPU <= the GPU's HBM
  bool host_fits = true;  // host bytes per node (offloaded states, pinned buffers) <= the node's host memory
  bool nvme_fits = true;  // NVMe bytes per node (offloaded states) <= the node's NVMe capacity
  bool fits() const { return gpu_fits && host_fits && nvme_fits; }
};

// What a plan needs of each memory and what the hardware has.
struct MemoryNeeds {
  Bytes gpu_peak;            // maximum over GPUs
  Bytes gpu_memory;          // the GPU's HBM
  Bytes host_peak_per_node;  // offload: host bytes of the busiest node
  Bytes host_memory;         // the node's host memory (cluster card)
  Bytes nvme_peak_per_node;  // offload: NVMe bytes of the busiest node
  Bytes nvme_capacity;       // the node's NVMe capacity (cluster card)
};

// The one place the verdict is computed: each need against its capacity.
MemoryVerdict judge_memory(const MemoryNeeds& n);

// "" when the plan fits; else each part that does not, with need, capacity and
// excess in GiB: "host memory per node needs 1028.0 GiB of 1024.0 GiB (4.0 GiB over)",
// parts joined by "; ".
std::string memory_shortfall(const MemoryNeeds& n);

struct MemoryResult {
  MemoryConvention convention = MemoryConvention::megatron;
  std::int64_t params_total = 0;    // the model's unique parameters
  std::int64_t params_per_gpu = 0;  // the largest params_resident over stages
  std::vector<StageMemory> stages;  // one per pipeline rank
  int peak_stage = 0;               // the stage holding the maximum
  Bytes peak;                       // maximum over GPUs
  MemoryBreakdown at_peak;          // breakdown of that GPU at its peak
  Bytes gpu_memory;                 // the GPU's HBM
  Bytes host_peak_per_node;         // offload: GPUs per node x the largest per-GPU host bytes
  Bytes nvme_peak_per_node;         // offload: likewise on NVMe
  Bytes host_memory;                // the node's host memory
  Bytes nvme_capacity;              // the node's NVMe capacity
  MemoryVerdict verdict;            // judge_memory(needs())
  bool fits() const { return verdict.fits(); }
  MemoryNeeds needs() const {
    return {peak, gpu_memory, host_peak_per_node, host_memory, nvme_peak_per_node, nvme_capacity};
  }
};

// The memory of a resolved, validated scenario (validate_layout). Pure function.
MemoryResult compute_memory(const Scenario& s);

}  // namespace trainsim
