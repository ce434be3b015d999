// Private to the scenario loader: reads the mixture-of-experts training keys
// (training.moe_*) into s.training.moe (sim/spec/scenario.hpp MoeOptions).
#pragma once

#include <string>
#include <vector>

#include "sim/config/config_doc.hpp"
#include "sim/spec/scenario.hpp"

namespace trainsim {

// Throws ConfigError naming training.moe_token_histogram for a share that is
// not a number, a negative share, or shares summing to 0; the shares are
// normalised to sum 1. (How many shares the model needs, check_layout says.)
void read_moe(const ConfigDoc& d, Scenario& s);

// The histogram text "[a, b, ...]" or "a, b, ..." as numbers; sets `error` and
// returns {} when the text is not such a list.
std::vector<double> parse_share_list(const std::string& text, std::string& error);

}  // namespace trainsim
