// The work of one pipeline stage in one training step, as a list of
// instructions its GPUs execute in order on the compute stream. Every GPU of a
// stage (all dp, tp, cp ranks) runs the same program; groups and peers are
// named relative to the executing rank and resolved by the step engine.
//
//  compute      the compute stream is busy for `duration` (category says what for);
//               `host` work (CPU-Adam) may take longer while copies share its DRAM
//  collective   a blocking collective on `lane` over the rank's `group`: the
//               compute stream waits until every member has arrived and the
//               collective has run (`duration`)
//  launch       queue a collective on the async lane `lane` (DP comm); it runs
//               when the lane is free, every member has launched it and the
//               dependency (`after_lane` has finished `after` items) is met
//  copy         queue an offload copy of `bytes` on the async lane `lane`
//               (pcie: host<->device; nvme: drive<->host), `duration` at the
//               full rate; same FIFO and dependency rules as launch
//  wait_lane    block until the first `count` items on `lane` (dp_comm, pcie or
//               nvme) have finished
//  send         queue a pipeline send of `bytes` to stage `peer_stage` on the
//               pp_p2p lane (asynchronous for the sender); delivers message `message`
//  recv         block until message `message` has arrived
//  alloc / free change the bytes in use of memory kind `memory`
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/core/quantity.hpp"
#include "sim/core/sim_time.hpp"
#include "sim/net/collective.hpp"
#include "sim/workload/step_result.hpp"

namespace trainsim {

enum class InstrKind : std::uint8_t { compute, collective, launch, copy, wait_lane, send, recv, alloc, free };

// What a stretch of compute-stream time was spent on (StepBreakdown's fields).
enum class Category : std::uint8_t { forward, backward, recompute, optimizer, tp, dp, pp, offload };
const char* to_string(Category c);

// The group a collective runs over, relative to the executing rank.
// shard: the dp x cp group gradients are reduced over and ZeRO shards over.
// replicate: HSDP's peers across replica groups (Layout::replicate_group);
// reshard: FSDP2's reshard_after_forward = N group (Layout::reshard_group).
// amax: the FP8 amax reduction group, every rank of a pipeline stage (tp x cp x dp).
// ep, etp, ep_tp, expert_dp: the expert mesh of MoE layers (layout.hpp).
enum class GroupKind : std::uint8_t {
  tp,
  cp,
  shard,
  embedding,
  world,
  replicate,
  reshard,
  amax,
  ep,
  etp,
  ep_tp,
  expert_dp
};
inline constexpr int kGroupKinds = 12;
const char* to_string(GroupKind g);
// The global ranks of `rank`'s group of kind `g` on layout `l`, lowest first
// (embedding: the first and last stage of its pipeline; world: every rank).
std::vector<int> group_ranks(const Layout& l, GroupKind g, int rank);

// zero3_gathered: ZeRO-3 gathered parameters (zero3_gathers.hpp), reported
// within comm_buffers and on their own (MemoryBreakdown::zero3_gathered).
enum class MemKind : std::uint8_t { params, grads, optimizer_states, activations, comm_buffers, other, zero3_gathered };
inline constexpr int kMemKinds = 7;

// Direction of an offload copy (summary.json offload_bytes_per_gpu).
enum class CopyKind : std::uint8_t { d2h, h2d, nvme_read, nvme_write };
inline constexpr int kCopyKinds = 4;

struct Instr {
  InstrKind kind = InstrKind::compute;
  Category category = Category::forward;
  Lane lane = Lane::compute;
  GroupKind group = GroupKind::tp;
  CollectiveOp op = CollectiveOp::all_reduce;
  MemKind memory = MemKind::activations;
  CopyKind copy = CopyKind::d2h;
  Lane after_lane = Lane::dp_comm;  // launch / copy: start only after `after` items of this lane finished
  int after = 0;
  SimTime duration;    // compute / collective time
  Bytes bytes;         // collective size (nccl-tests convention), send size, or memory bytes
  int count = 0;       // wait_lane: launches to wait for
  int peer_stage = 0;  // send: destination pipeline stage
  int message = 0;     // send / recv: message id (see StageProgram::message_id)
  int label = 0;       // index into StageProgram::labels (span name)
  bool host = false;   // compute: runs on the host CPU (CPU-Adam), `duration` at its alone rate; it
                       // shares host DRAM with the GPU's copies and swaps (host_contention.hpp)
  int part_begin = 0;  // compute of a traced step: its parts, StageProgram::parts[part_begin, part_end)
  int part_end = 0;
  double nic_rate = 0;  // launch on an inter-node shard group with offload: bytes/s its GPU's NIC carries
                        // while the collective moves data alone (CommCost::nic_rate; 0: all the NIC gives)
};

// What a span of an instruction is called, and which pass it belongs to.
struct SpanLabel {
  std::string name;      // e.g. "F mb3 c0", "grad reduce"; traced steps: "L12 attn fwd", ...
  int micro_batch = -1;  // -1: not part of a pass
  int chunk = -1;
  std::string algorithm;  // collectives of a traced step: NCCL's algorithm
  std::string pass;       // traced steps: the pass label ("F mb3 c0") a detailed name belongs to
};

// A piece of a compute instruction in a traced step (Emitter detail mode):
// back-to-back compute merges into one instruction, and its parts keep what
// each piece was (label "L12 attn fwd") for the trace. Parts never change times.
struct ComputePart {
  int label = 0;  // index into StageProgram::labels
  SimTime duration;
  double flops = 0;  // FLOPs one GPU executes (0: not known)
};

struct StageProgram {
  int stage = 0;
  std::vector<Instr> instrs;
  std::vector<SpanLabel> labels;   // span names, indexed by Instr::label
  std::vector<ComputePart> parts;  // traced steps: the pieces of compute instructions (Instr::part_begin)
  // Bytes one GPU of this stage sends per step, by "group.op" (summary comm_bytes_per_gpu).
  std::map<std::string, Bytes> comm_bytes;
  double hardware_flops = 0;                      // FLOPs one GPU of this stage executes per step
  std::array<Bytes, kCopyKinds> offload_bytes{};  // what one GPU copies per step, by CopyKind
};

// Appends the trace spans of instruction `in` of `prog`, run by global rank
// `rank` on `lane` from `start` to `end`: one span named by its label, or, for
// compute with parts, one span per part in order (the last ends at `end`).
void append_spans(const StageProgram& prog, const Instr& in, int rank, Lane lane, SimTime start, SimTime end,
                  std::vector<TraceSpan>& out);

// Message ids: a forward activation or backward gradient for (micro-batch,
// destination virtual stage); unique within a step.
inline int message_id(bool forward, int micro_batch, int dst_virtual_stage, int virtual_stages, int micro_batches) {
  return ((forward ? 0 : 1) * virtual_stages + dst_virtual_stage) * micro_batches + micro_batch;
}

}  // namespace trainsim
