#include "sim/buy/economics.hpp"

#include <cmath>
#include <limits>

namespace trainsim {

StepPhases phases_of(const StepBreakdown& b) {
  StepPhases p;
  p.busy_s = (b.compute + b.recompute + b.optimizer).value();
  p.comm_s = (b.tp_comm_exposed + b.pp_comm_exposed + b.dp_comm_exposed + b.offload_exposed).value();
  p.idle_s = b.pp_bubble.value();
  return p;
}

double phase_energy_j(double tdp_w, double fraction, double seconds) { return tdp_w * fraction * seconds; }

double step_energy_j(const PowerModel& p, const StepPhases& ph, int gpus, int nodes) {
  const double gpu = phase_energy_j(p.gpu_tdp_w, p.busy_fraction, ph.busy_s) +
                     phase_energy_j(p.gpu_tdp_w, p.comm_fraction, ph.comm_s) +
                     phase_energy_j(p.gpu_tdp_w, p.idle_fraction, ph.idle_s);
  const double step_s = ph.busy_s + ph.comm_s + ph.idle_s;
  return p.pue * (gpus * gpu + nodes * p.node_overhead_w * step_s);
}

double hourly_from_purchase(double price_per_gpu, double years) { return price_per_gpu / (years * 365.25 * 24); }

double job_cost(double gpu_hours, double per_gpu_hour, double energy_kwh, double per_kwh) {
  return gpu_hours * per_gpu_hour + energy_kwh * per_kwh;
}

double expected_interruptions(double rate_per_gpu_s, int gpus, double seconds) {
  return rate_per_gpu_s * gpus * seconds;
}

double young_interval_s(double checkpoint_s, double mtbf_s) { return std::sqrt(2 * checkpoint_s * mtbf_s); }

double daly_interval_s(double checkpoint_s, double mtbf_s) {
  if (checkpoint_s >= 2 * mtbf_s) return mtbf_s;
  const double r = checkpoint_s / (2 * mtbf_s);
  return young_interval_s(checkpoint_s, mtbf_s) * (1 + std::sqrt(r) / 3 + r / 9) - checkpoint_s;
}

double daly_wall_time_s(double solve_s, double interval_s, double checkpoint_s, double restart_s, double mtbf_s) {
  if (!std::isfinite(mtbf_s)) return solve_s * (interval_s + checkpoint_s) / interval_s;
  return mtbf_s * std::exp(restart_s / mtbf_s) * std::expm1((interval_s + checkpoint_s) / mtbf_s) * solve_s /
         interval_s;
}

}  // namespace trainsim
