// Plausibility of a cluster card and of a result: values inside the keys'
// ranges that no shipping hardware reaches, most often a unit slip ("400GB/s"
// for a 400 Gb/s NIC, a bidirectional NVLink figure for a per-direction key).
// Nothing is refused: each finding is a warning sentence naming the key, the
// value, the fastest shipping part and the likely slip, for the loader's
// ImportLog and the StepResult's warnings (the CLI prints them on stderr).
// Limits in limits.hpp; docs/limits.md "Plausibility".
#pragma once

#include <string>
#include <vector>

#include "sim/spec/cluster_spec.hpp"

namespace trainsim {

// One warning per link rate of `c` past the fastest shipping part.
std::vector<std::string> implausible_link_rates(const ClusterSpec& c);

// A warning when `mfu` exceeds 100% ("" otherwise); `compute_profile` is the
// scenario's training.compute_profile ("" = the cost model), named as the
// likely cause when given.
std::string implausible_mfu(double mfu, const std::string& compute_profile);

}  // namespace trainsim
