// trainsim run: simulate one training step of a scenario (docs/design.md §1, §3).
//
//   Scenario s = load_scenario("scenarios/gpt3-175b-1024gpu.yaml");
//   StepResult r = simulate_step(s);
//   r.step_time_s, r.breakdown, r.peak_memory_bytes, r.per_gpu ...
//
// The step is planned from the scenario (step_plan.hpp: cost model, NCCL
// model), turned into one program per pipeline stage (program_builder.hpp),
// and executed on the discrete-event engine (step_engine.hpp), by default
// once per pipeline stage (symmetry; `full` simulates every GPU and gives the
// same result, which the tests check).
#pragma once

#include "sim/spec/scenario.hpp"
#include "sim/core/engine.hpp"
#include "sim/workload/step_result.hpp"

namespace trainsim {

struct StepOptions {
  bool full = false;             // simulate every GPU instead of one per pipeline stage
  bool record_timeline = false;  // keep spans, flows and memory samples (trace.json)
  bool ideal_network = false;    // every transfer takes no time (a compute-only bound)
  // Guards of the engine (EngineOptions): the most events the step may fire
  // and the most wall-clock seconds the engine may run (0 = no limit).
  // Exceeding one throws EventLimitExceeded / WallTimeExceeded (docs/limits.md).
  std::uint64_t max_events = EngineOptions{}.max_events;
  double timeout_s = 0;
};

// Simulates one step of a validated scenario. Throws ConfigError for inputs
// the step simulator cannot honour (offload until issue 5; an unreadable
// compute profile; a scenario past the limits of docs/limits.md),
// EventLimitExceeded / WallTimeExceeded when a guard of `options` trips, and
// SimulationError on an internal inconsistency.
StepResult simulate_step(const Scenario& s, const StepOptions& options = {});

// Megatron's model FLOPs per step (docs/reference/formulas.md §1, general form:
// 12 B s L h^2 ((1 + g/a + s/h) q/h + (F/h) glu + V/(2 L h)), glu = 3/2 for SwiGLU).
// Packed sequences put training.pack_mean_seq_len in place of s in the
// attention term (sum s_i^2 per row); LoRA counts the frozen GEMM terms 2/3
// and leaves the adapters out, as Megatron-Bridge reports it (step_sim.cpp).
double model_flops_per_step(const Scenario& s);

}  // namespace trainsim
