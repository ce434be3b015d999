// Appends instructions to one stage's program (program.hpp), merging
// back-to-back compute of the same kind and label, and accounting the bytes
// each collective sends per GPU. Private to sim/workload; the pass-level
// logic is in program_builder.cpp.
//
// Detail mode (a traced step, `detail` non-null): the same instructions, with
// readable span names. Compute keeps a part per piece ("L12 attn fwd", from
// context() and the category), and a collective is named
// "<op> <what> <size> <algorithm>" ("all_gather L12 params 1.7 GB ring"),
// <what> being context() for blocking ones, name_next_launch() for launches,
// else its label's name. Nothing else (times, order, events) changes.
#pragma once

#include <map>
#include <string>
#include <tuple>

#include "sim/core/quantity.hpp"
#include "sim/core/work_budget.hpp"
#include "sim/workload/comm_cost.hpp"
#include "sim/workload/program.hpp"
#include "sim/workload/step_plan.hpp"

namespace trainsim {

class Emitter {
 public:
  Emitter(const StepPlan& p, int stage, CommCost* detail = nullptr);

  bool detail() const { return detail_ != nullptr; }
  // What the compute and blocking collectives emitted next work on ("L12 attn",
  // "embedding"; "" for their label's name). Detail mode only; else ignored.
  void context(std::string what) {
    if (detail_) ctx_ = std::move(what);
  }
  // The same for the next launch only ("L12 params" for a ZeRO-3 gather).
  void name_next_launch(std::string what) {
    if (detail_) launch_ctx_ = std::move(what);
  }

  // The index of span label `name` in the program's labels (added on first use);
  // `micro_batch` / `chunk` say which pass it names (-1: none).
  int label(const std::string& name, int micro_batch = -1, int chunk = -1);
  // `host`: the work runs on the host CPU (CPU-Adam; Instr::host). `flops`: what
  // one GPU executes, for the trace (0: not known).
  void compute(Seconds seconds, Category c, int lbl, bool host = false, double flops = 0);
  // A collective on the compute stream's critical path (`exposed` seconds of
  // it); nothing for a group of one GPU.
  void blocking(GroupKind g, CollectiveOp op, Bytes bytes, Seconds exposed, Lane lane, Category c, int lbl);
  // An MoE layer's MLP block (moe_plan.hpp plan_moe): the token dispatcher's
  // collectives, one after the other on the compute stream (tp_comm lane,
  // counted as TP communication). The program builder runs the block's
  // compute before them, with the dense TP collectives only when the layer
  // has shared experts (StepPlan::moe_block_tp).
  void moe_collectives(const std::vector<StepPlan::MoeCollective>& cs, int lbl);
  // Queues a collective on the DP lane; returns how many launches precede and include it.
  int launch(GroupKind g, CollectiveOp op, Bytes bytes, Seconds seconds, int lbl);
  // Blocks until the first `count` launches have finished.
  void wait_dp(int count) { wait(Lane::dp_comm, count); }
  // Blocks until the first `count` items of async lane `lane` have finished.
  void wait(Lane lane, int count);
  // Makes the next launch or copy start only after `count` items of `lane` finished.
  void after(Lane lane, int count);
  // Queues an offload copy (pcie lane for d2h/h2d, nvme lane for reads/writes)
  // of `bytes` taking `seconds` at the full rate; returns how many copies on
  // that lane precede and include it (nothing queued for bytes <= 0).
  int copy(CopyKind kind, Bytes bytes, Seconds seconds, int lbl);
  // Items queued so far on async lane `lane` (dp_comm, pcie, nvme).
  int queued(Lane lane) const;
  void send(int peer_stage, int message, Bytes bytes, Seconds seconds, int lbl);
  void recv(int message);
  void memory(bool alloc, MemKind kind, Bytes bytes);

  // Charges every instruction to `budget` (nullptr: none), so --max-events and
  // --timeout cover program building (docs/limits.md "Guards").
  void set_budget(WorkBudget* budget) { budget_ = budget; }

  int launches() const { return launches_; }
  StageProgram& program() { return prog_; }

 private:
  // Appends an instruction (charging the budget); the caller sets its duration with time_of.
  Instr& push(InstrKind kind, Category c, Lane lane, Bytes bytes, int lbl);
  // `already` + `seconds` of instruction `i` as engine time, checked (duration_check.hpp).
  SimTime time_of(const Instr& i, Seconds seconds, SimTime already = SimTime::zero()) const;
  void collective(InstrKind kind, GroupKind g, CollectiveOp op, Bytes bytes, Seconds seconds, Lane lane, Category c,
                  int lbl);
  int group_size(GroupKind g) const;
  const GroupPlacement& placement(GroupKind g) const;
  // Detail mode: the part label of compute in context, the label of a collective.
  int part_label(Category c, int lbl);
  int collective_label(InstrKind kind, GroupKind g, CollectiveOp op, Bytes bytes, int lbl);

  const StepPlan& p_;
  StageProgram prog_;
  std::map<std::tuple<std::string, int, int, std::string>, int> labels_;  // (name, micro_batch, chunk, pass)
  int label(const std::string& name, int micro_batch, int chunk, const std::string& pass);
  CommCost* detail_ = nullptr;
  WorkBudget* budget_ = nullptr;
  std::string ctx_, launch_ctx_;
  int launches_ = 0;
  int pcie_ = 0, nvme_ = 0;
  Lane after_lane_ = Lane::dp_comm;
  int after_ = 0;
};

}  // namespace trainsim
