// DeepSpeed's launcher: a hostfile ("worker-0 slots=8" per line, '#' starts a
// comment; deepspeed/launcher/runner.py fetch_hostfile) or --num_nodes N
// --num_gpus G, giving the scenario's `nodes` and `gpus`.
#pragma once

#include <string>

#include "sim/spec/import_log.hpp"

namespace trainsim {

// nodes = hosts listed, gpus = the sum of their slots. Throws ConfigError at
// file:line for a line that is not "HOST slots=N" (N >= 1) or a host listed twice.
ImportResult read_hostfile(const std::string& path);
ImportResult parse_hostfile(const std::string& text, const std::string& file);

// --num_nodes N (0: not given) and --num_gpus G per node (0: not given):
// nodes = N, gpus = N x G.
ImportResult launcher_size(int num_nodes, int num_gpus);

}  // namespace trainsim
