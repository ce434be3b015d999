// Private to sim/sweep: reading the values of one sweep-file key (a scalar, a
// list or a range) and checking each against the scenario key table.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/sweep/sweep_file.hpp"

namespace trainsim {

// The values a key takes: a scalar (one value), a list of scalars, or an
// integer range {from: A, to: B, step: S} / {from: A, to: B, times: T}
// (A, A+S, ... <= B; A, A*T, ... <= B). Throws ConfigError at `where`.
std::vector<std::string> axis_values(const SourceLocation& where, const YAML::Node& value);

// Checks `value` against the scenario key's type and range (as --set would);
// throws ConfigError at `where` saying what is valid.
void check_scenario_value(const SourceLocation& where, const std::string& value);

// `e` with its location moved to the sweep file's line of its key when the
// key was written in the sweep file (the loader sees the base as generated
// text and the swept values as overrides).
ConfigError relocate(const SweepSpec& spec, const ConfigError& e);

}  // namespace trainsim
