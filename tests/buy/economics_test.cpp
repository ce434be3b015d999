// sim/buy: the closed forms of trainsim compare (docs/compare.md). Expected
// values are worked by hand from the published formulas: Young (1974),
// Daly (2006), Meta's Llama 3 interruption count (arXiv 2407.21783), and
// power x time for energy.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "sim/buy/economics.hpp"

using namespace trainsim;

TEST_CASE("Young's interval is sqrt(2 x checkpoint x MTBF)") {
  // sqrt(2 x 60 s x 3600 s) = sqrt(432000) = 657.267 s
  CHECK(young_interval_s(60, 3600) == doctest::Approx(657.267).epsilon(1e-6));
  CHECK(young_interval_s(0, 3600) == 0);
}

TEST_CASE("Daly's higher-order interval and its large-checkpoint limit") {
  // r = 60 / 7200; 657.267 x (1 + sqrt(r)/3 + r/9) - 60 = 617.876 s
  CHECK(daly_interval_s(60, 3600) == doctest::Approx(617.876).epsilon(1e-6));
  // a checkpoint of at least twice the MTBF: checkpoint every MTBF
  CHECK(daly_interval_s(8000, 3600) == 3600);
  // small checkpoints: Daly tends to Young
  CHECK(daly_interval_s(1, 1e7) == doctest::Approx(young_interval_s(1, 1e7)).epsilon(1e-3));
}

TEST_CASE("Daly's interval minimises Daly's expected wall-clock time") {
  for (double delta : {30.0, 120.0, 600.0}) {
    const double mtbf = 5 * 3600, solve = 30 * 86400, restart = 300;
    double best_tau = 0, best = std::numeric_limits<double>::infinity();
    for (double tau = 10; tau < 20000; tau += 1) {
      const double w = daly_wall_time_s(solve, tau, delta, restart, mtbf);
      if (w < best) best = w, best_tau = tau;
    }
    CAPTURE(delta);
    CHECK(daly_interval_s(delta, mtbf) == doctest::Approx(best_tau).epsilon(0.02));
  }
}

TEST_CASE("Daly's wall-clock time: a worked value and the failure-free limit") {
  // M e^(R/M) (e^((tau+delta)/M) - 1) T / tau with M 3600, R 300, tau 600, delta 60, T 100 h
  CHECK(daly_wall_time_s(360000, 600, 60, 300, 3600) == doctest::Approx(472394.42).epsilon(1e-6));
  // no interruptions: only the checkpoints add, (tau + delta) / tau
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(daly_wall_time_s(360000, 600, 60, 300, inf) == doctest::Approx(360000 * 660.0 / 600));
  CHECK(daly_wall_time_s(360000, 600, 60, 300, 1e15) == doctest::Approx(360000 * 660.0 / 600).epsilon(1e-6));
}

TEST_CASE("expected interruptions: Llama 3's 466 in 54 days on 16,384 GPUs") {
  const double per_gpu_s = 466.0 / (54 * 16384) / 86400;
  CHECK(expected_interruptions(per_gpu_s, 16384, 54 * 86400.0) == doctest::Approx(466));
  CHECK(expected_interruptions(per_gpu_s, 8192, 54 * 86400.0) == doctest::Approx(233));
}

TEST_CASE("energy of a phase and of a step") {
  CHECK(phase_energy_j(700, 0.5, 3600) == doctest::Approx(1.26e6));  // 0.35 kWh
  PowerModel p;
  p.gpu_tdp_w = 1000;
  p.busy_fraction = 1;
  p.comm_fraction = 0.5;
  p.idle_fraction = 0.1;
  p.node_overhead_w = 500;
  p.pue = 1.5;
  StepPhases ph;
  ph.busy_s = 1;
  ph.comm_s = 1;
  ph.idle_s = 2;
  // GPUs: 2 x (1000 + 500 + 200) J; node: 500 W x 4 s; x PUE 1.5
  CHECK(step_energy_j(p, ph, 2, 1) == doctest::Approx(8100));
}

TEST_CASE("the phases of a step add up to its breakdown") {
  StepBreakdown b;
  b.compute = Seconds(3);
  b.recompute = Seconds(1);
  b.tp_comm_exposed = Seconds(0.5);
  b.pp_bubble = Seconds(0.75);
  b.dp_comm_exposed = Seconds(0.25);
  b.optimizer = Seconds(0.125);
  const StepPhases ph = phases_of(b);
  CHECK(ph.busy_s == doctest::Approx(4.125));
  CHECK(ph.comm_s == doctest::Approx(0.75));
  CHECK(ph.idle_s == doctest::Approx(0.75));
  CHECK(ph.busy_s + ph.comm_s + ph.idle_s == doctest::Approx(b.total().value()));
}

TEST_CASE("cost: an amortised purchase and the job's bill") {
  // 30,000 over 4 years of 8,766 hours
  CHECK(hourly_from_purchase(30000, 4) == doctest::Approx(30000.0 / 35064));
  CHECK(job_cost(1000, 2, 500, 0.1) == doctest::Approx(2050));
}
