#include "sim/core/format.hpp"

#include <fmt/format.h>

namespace trainsim {

std::string fixed(double v, int decimals, bool sign) {
  return sign ? fmt::format("{:+.{}f}", v, decimals) : fmt::format("{:.{}f}", v, decimals);
}

std::string general(double v, int precision) { return fmt::format("{:.{}g}", v, precision); }

}  // namespace trainsim
