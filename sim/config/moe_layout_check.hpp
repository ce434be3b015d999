// Private to sim/config's layout check (check_layout, sim/spec/scenario.hpp):
// the rules of the expert layout (parallel.ep, parallel.etp) and the MoE
// training keys, each with the reason the framework's own code gives.
#pragma once

#include <vector>

#include "sim/spec/scenario.hpp"

namespace trainsim {

// Appends the expert-layout problems of `sc`: ep or etp on a dense model; ep
// not dividing the routed experts; etp x ep not dividing tp x cp x dp; etp not
// dividing the expert FFN; the expert and dense pipeline groups differing for
// a parallel.order without pp last; TP with EP but no sequence parallelism.
void check_expert_layout(const Scenario& sc, std::vector<LayoutProblem>& out);

}  // namespace trainsim
