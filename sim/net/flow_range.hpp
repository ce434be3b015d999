// A flow that would outlast the simulated clock (about 1.06e7 s): bad input
// (a link rate far too low for the bytes), not a bug in the network model.
#pragma once

#include <string>

namespace trainsim {

// Throws DurationOutOfRange (sim/core/sim_error.hpp) for `bytes` left at
// `rate` bytes/s, naming the route's slowest link `link` and the card key
// `key` its capacity comes from (LinkSpec::key; empty: "cluster"). A card key
// (node.*, fabric.*) is reported at the scenario's `cluster` key.
[[noreturn]] void throw_flow_out_of_range(double bytes, double rate, const std::string& link, const std::string& key);

}  // namespace trainsim
