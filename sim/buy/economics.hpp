// The closed forms behind `trainsim compare` (docs/compare.md): GPU power by
// activity phase and the energy of a step, the price of a GPU-hour, and the
// goodput model (expected interruptions, the checkpoint interval of Young 1974
// and Daly 2006, and the expected wall-clock time of a job that checkpoints
// and restarts). Plain functions of plain numbers, SI units (s, J, W, bytes);
// money in the user's currency (the examples: USD).
#pragma once

#include "sim/workload/step_result.hpp"

namespace trainsim {

// One GPU's step split by what the GPU draws meanwhile (docs/compare.md "Energy").
struct StepPhases {
  double busy_s = 0;  // kernels: compute, recompute, optimizer (overlapped communication included)
  double comm_s = 0;  // waiting on exposed TP/CP, PP and DP communication or offload traffic
  double idle_s = 0;  // the pipeline bubble: nothing to run
};

// The phases of the critical GPU's breakdown (StepBreakdown sums to the step time).
StepPhases phases_of(const StepBreakdown& b);

// What a GPU and its node draw (docs/compare.md lists the defaults and sources).
struct PowerModel {
  double gpu_tdp_w = 0;         // board power limit (TDP) of one GPU [W]
  double busy_fraction = 1;     // of TDP while kernels run
  double comm_fraction = 0.5;   // of TDP while waiting on communication
  double idle_fraction = 0.15;  // of TDP while idle
  double node_overhead_w = 0;   // one node beyond its GPUs: CPUs, DRAM, NICs, fans [W]
  double pue = 1;               // facility energy / IT energy (>= 1)
};

// Energy one GPU draws over `seconds` at `fraction` of `tdp_w` [J].
double phase_energy_j(double tdp_w, double fraction, double seconds);

// Facility energy of one step of the job [J]:
// PUE x (gpus x sum over phases of the phase energy + nodes x node overhead x step time).
double step_energy_j(const PowerModel& p, const StepPhases& ph, int gpus, int nodes);

// The price of one GPU-hour from a purchase price per GPU written off in a
// straight line over `years` of round-the-clock use (365.25 days a year).
double hourly_from_purchase(double price_per_gpu, double years);

// GPU-hours x price per GPU-hour + energy [kWh] x price per kWh.
double job_cost(double gpu_hours, double per_gpu_hour, double energy_kwh, double per_kwh);

// Interruptions expected in `seconds` on `gpus` GPUs failing independently at
// `rate_per_gpu_s` (a Poisson process: rate x gpus x seconds).
double expected_interruptions(double rate_per_gpu_s, int gpus, double seconds);

// Young (1974): the checkpoint interval sqrt(2 delta M) for a checkpoint of
// `checkpoint_s` (delta) and a mean time between interruptions `mtbf_s` (M).
double young_interval_s(double checkpoint_s, double mtbf_s);

// Daly (2006), the higher-order estimate: sqrt(2 delta M) [1 + sqrt(delta/2M)/3 + (delta/2M)/9] - delta
// for delta < 2M, else M. The compute time between checkpoints.
double daly_interval_s(double checkpoint_s, double mtbf_s);

// Daly (2006), the complete model: the expected wall-clock time of `solve_s` of work
// checkpointed every `interval_s` (tau) of work with a checkpoint of
// `checkpoint_s` (delta), a restart of `restart_s` (R) and exponential
// interruptions of mean `mtbf_s` (M): M e^(R/M) (e^((tau+delta)/M) - 1) solve / tau.
// Without interruptions (M infinite) it tends to solve x (tau + delta) / tau.
double daly_wall_time_s(double solve_s, double interval_s, double checkpoint_s, double restart_s, double mtbf_s);

}  // namespace trainsim
