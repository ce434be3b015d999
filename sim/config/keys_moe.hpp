// The scenario keys of mixture-of-experts training (issue 21): the expert
// layout (parallel.ep, parallel.etp) and routing and dispatch
// (training.moe_*); part of the scenario key table. Their values land in
// ParallelPlan::ep / etp and TrainingPlan::moe (sim/spec/scenario.hpp).
#pragma once

#include <vector>

#include "sim/config/keys.hpp"

namespace trainsim {

// Appends parallel.ep and parallel.etp.
void add_moe_parallel_keys(std::vector<KeyDef>& k);

// Appends training.moe_dispatcher, training.moe_grouped_gemm,
// training.moe_a2a_overlap, training.moe_load_skew and training.moe_token_histogram.
void add_moe_training_keys(std::vector<KeyDef>& k);

}  // namespace trainsim
