// The one units parser of trainsim. Every physical value in a YAML file or on
// the command line is a string with its unit ("450GB/s", "400Gbps", "80GiB",
// "1.5us", "989TFLOPS", "7.5B"); this module turns it into SI base units.
//
// Prefixes: decimal k/K, M, G, T, P (10^3 ... 10^15) and binary Ki, Mi, Gi,
// Ti, Pi (2^10 ... 2^50). Bits ("b", "bps", "b/s", "bit/s") are converted to
// bytes (1/8). A bare number where a unit is required is an error.
#pragma once

#include <string>
#include <optional>
#include <string_view>

namespace trainsim {

enum class Dimension {
  bytes,      // "80GiB", "1.92TB", "512B"                  -> bytes
  bandwidth,  // "450GB/s", "400Gbps", "25GiB/s"            -> bytes per second
  time,       // "1.5us", "2ms", "300ns", "1s", "5ps"       -> seconds
  flop_rate,  // "989TFLOPS", "312TFLOP/s"                  -> FLOP per second
  count,      // "7.5B", "175M", "4K", "5e8", "1024"        -> a plain number (bare numbers allowed)
  fraction,   // "0.85", "85%"                              -> a plain number (bare numbers allowed)
  power,      // "1000W", "1.2kW"                           -> watts
};

// Human name of a dimension and examples of valid values, for messages.
std::string_view dimension_name(Dimension d);
std::string_view dimension_examples(Dimension d);

// Parses `text` as a quantity of dimension `d` and returns it in SI base
// units. Throws UnitError saying what was wrong and what would be valid.
double parse_quantity(std::string_view text, Dimension d);

// The one set of boolean spellings every reader accepts (scenario and card
// YAML, --set, sweep files, runs-CSV settings): true/false, yes/no, on/off and
// 1/0, in any case. Empty when `text` is none of them.
std::optional<bool> parse_boolean(std::string_view text);
// Those spellings, for messages: "true or false (also yes/no, on/off, 1/0, any case)".
inline constexpr const char* kBooleanSpellings = "true or false (also yes/no, on/off, 1/0, any case)";

// Formats a value in SI units for messages and tables, e.g. "80 GiB",
// "450 GB/s", "1.5 us", "989 TFLOP/s", "7.5 B".
std::string format_quantity(double si_value, Dimension d);

// Formats a value as it would be written in YAML, shortest first, such that
// parse_quantity() reads back exactly `si_value`: "70us", "1GiB", "5e8", "0.1".
// Used for the defaults printed by the key tables (docs/keys.md).
std::string format_quantity_yaml(double si_value, Dimension d);

}  // namespace trainsim
