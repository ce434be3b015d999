// Turns a step plan into one program per pipeline stage (program.hpp):
// the schedule's forward and backward passes layer by layer, with the
// tensor/context-parallel collectives between blocks, pipeline sends and
// receives, gradient buckets and ZeRO parameter gathers on the DP lane, the
// gradient-norm all-reduce, the optimizer step and the memory changes.
//
// ZeRO semantics (DeepSpeed stage_1_and_2.py / stage3.py; Megatron DDP and
// distributed optimizer):
//  - stage 0: gradients all-reduced in buckets; stage 1 (and Megatron's
//    distributed optimizer): reduce-scattered; both only in the last
//    micro-batch's backward of each model chunk (gradient accumulation) or
//    after it (DeepSpeed's ZeRO-0, and ZeRO-1 without overlap_comm), and
//    after the optimizer step the updated parameters are all-gathered in
//    buckets (DeepSpeed allgather_bucket_size; Megatron's gradient buckets).
//  - stage 2: gradients reduce-scattered in every micro-batch's backward
//    (DeepSpeed keeps only its gradient partition); parameters all-gathered
//    after the step.
//  - stage 3: additionally every layer's parameters are all-gathered before its
//    forward and again before its backward, in every micro-batch, prefetched
//    up to stage3_prefetch_bucket_size parameters (at least one layer) ahead;
//    no gather after the step. The gathered parameters (and, in backward, the
//    layer's full gradients) are allocated and freed layer by layer
//    (sim/memory/zero3_gathers.hpp, which also decides what is gathered when).
// Buckets fill in backward order; a bucket is launched when it holds
// bucket_params gradients (Megatron bucket_size, DeepSpeed reduce_bucket_size)
// and the remainder at the end of the pass. Which passes reduce, whether the
// reductions wait, or whether all of them follow the last backward instead, is
// StepPlan::grad_reduction (step_plan.cpp plan_grad_reduction: DeepSpeed
// ZeRO-2/3 reduce in every backward whatever overlap_comm says, which only
// decides whether the backward waits for each bucket).
#pragma once

#include <vector>

#include "sim/core/work_budget.hpp"
#include "sim/spec/scenario.hpp"
#include "sim/workload/comm_cost.hpp"
#include "sim/workload/program.hpp"
#include "sim/workload/step_plan.hpp"

namespace trainsim {

// `s`: the scenario `plan` was made from; `comm` costs the DP collectives the
// programs issue (and collects its fallback warnings). `detail`: a traced step,
// readable span names (emitter.hpp detail mode); the instructions are the same.
std::vector<StageProgram> build_programs(const Scenario& s, const StepPlan& plan, CommCost& comm, bool detail = false,
                                         WorkBudget* budget = nullptr);

}  // namespace trainsim
