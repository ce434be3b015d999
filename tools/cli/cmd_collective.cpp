// placeholder: `trainsim collective` arrives with the network model.
#include "cli_common.hpp"

namespace trainsim::cli {
void add_collective_command(CLI::App&) {}
}  // namespace trainsim::cli
