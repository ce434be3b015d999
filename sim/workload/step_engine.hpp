// Executes the stage programs of one step on the discrete-event engine.
//
// Each simulated GPU runs its stage's program on its compute stream; DP
// collectives queue on its dp_comm lane, offload copies on its pcie and nvme
// lanes and pipeline sends on its pp_p2p lane, all FIFO; an item on the dp,
// pcie or nvme lane may wait for a count of items of another lane to finish.
// A collective starts when every simulated member of its group has reached it
// (and, on a lane, when the lane is free), so a slow member delays the others.
// With offload, a GPU's pcie copy, nvme swap, CPU-Adam (host compute) and
// inter-node DP collective share its PCIe links and its node's memory buses:
// while several run, each progresses at its share of that mix
// (OffloadRates::share_of); a collective runs at the lowest rate among its
// members, and slows only where the mix leaves its NIC traffic less than the
// rate it draws alone (OffloadRates::nic_share, Instr::nic_rate). Symmetric mode simulates one GPU per pipeline stage
// (dp = tp = cp = 0): every other GPU of the stage has the same program, the same group shapes and the same traffic, so
// it would follow the same timeline; groups then contain only the simulated members. Full mode simulates every GPU.
//
// The engine interprets the programs, rendezvouses collectives and schedules
// the lanes; each simulated GPU's BreakdownClock classifies its compute
// stream's time as it passes (StepBreakdown), so a GPU's breakdown sums to
// the time its program ends, and its MemoryTracker follows its HBM in use and
// peak (breakdown_clock.hpp, memory_tracker.hpp, async_lane.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/engine.hpp"
#include "sim/core/quantity.hpp"
#include "sim/workload/program.hpp"
#include "sim/workload/step_plan.hpp"

namespace trainsim {

struct SimulatedGpu {
  int rank = 0;
  int stage = 0;
  Seconds end_s;  // the compute stream finished its program
  StepBreakdown breakdown;
  Bytes peak_bytes;
  MemoryBreakdown at_peak;
  Seconds busy_s;
};

struct EngineRun {
  std::vector<SimulatedGpu> gpus;  // the simulated GPUs, rank order
  std::uint64_t events = 0;
  std::vector<TraceSpan> spans;  // when recording
  std::vector<TraceFlow> flows;
  std::vector<MemorySample> memory;
};

// Which GPUs run_step simulates: one per pipeline stage (symmetric) or all.
enum class Coverage { one_per_stage, every_gpu };

struct RunOptions {
  Coverage coverage = Coverage::one_per_stage;
  bool record_timeline = false;  // keep spans, flows and memory samples (EngineRun)
  EngineOptions limits;          // the engine's guards
};

// Throws SimulationError (sim/core/sim_error.hpp) when the programs deadlock
// (a GPU still blocked when no event is left), and the engine's
// EventLimitExceeded / WallTimeExceeded when a guard of `options.limits` trips.
EngineRun run_step(const StepPlan& plan, const std::vector<StageProgram>& programs, const RunOptions& options = {});

}  // namespace trainsim
