// libFuzzer target: the units parser (sim/config/units.hpp).
// Input: byte 0 picks the Dimension, the rest is the value text.
// Contract checked: parse_quantity either returns a finite number or throws
// UnitError; format_quantity of any returned value does not crash.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sim/core/error.hpp"
#include "sim/config/units.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace trainsim;
  if (size == 0) return 0;
  const auto d = static_cast<Dimension>(data[0] % 6);
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    const double v = parse_quantity(text, d);
    if (!std::isfinite(v)) std::abort();  // contract: finite or UnitError
    (void)format_quantity(v, d);
  } catch (const UnitError&) {
  }
  return 0;
}
