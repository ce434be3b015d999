#include "sim/net/flow_range.hpp"

#include "sim/core/format.hpp"
#include "sim/core/sim_error.hpp"

namespace trainsim {

void throw_flow_out_of_range(double bytes, double rate, const std::string& link, const std::string& key) {
  const std::string k = key.empty() ? "cluster" : key;
  const bool card = k.rfind("node.", 0) == 0 || k.rfind("fabric.", 0) == 0;
  throw DurationOutOfRange("a transfer of " + general(bytes, 3) + " bytes at " + general(rate, 3) + " B/s over link '" +
                               link + "' would outlast the simulated clock's range (about 1.06e7 s); check " +
                               (card ? "the cluster card's " : "") + k,
                           card ? "cluster" : k);
}

}  // namespace trainsim
