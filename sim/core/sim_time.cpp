#include "sim/core/sim_time.hpp"

#include <array>
#include <cstdlib>

#include "sim/core/format.hpp"

namespace trainsim {

std::string to_string(SimTime t) {
  struct Unit {
    SimTime::Rep ps;
    const char* name;
  };
  static constexpr std::array<Unit, 5> kUnits{{{SimTime::kPsPerS, "s"},
                                               {SimTime::kPsPerMs, "ms"},
                                               {SimTime::kPsPerUs, "us"},
                                               {SimTime::kPsPerNs, "ns"},
                                               {1, "ps"}}};
  if (t.ps() == 0) return "0 s";
  // Compare magnitudes as unsigned so that the most negative value is handled.
  const auto magnitude = t.ps() < 0 ? 0 - static_cast<std::uint64_t>(t.ps()) : static_cast<std::uint64_t>(t.ps());
  Unit unit = kUnits.back();
  for (const Unit& u : kUnits) {
    if (magnitude >= static_cast<std::uint64_t>(u.ps)) {
      unit = u;
      break;
    }
  }
  return general(static_cast<double>(t.ps()) / static_cast<double>(unit.ps), 12) + " " + unit.name;
}

}  // namespace trainsim
