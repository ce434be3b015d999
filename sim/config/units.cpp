#include "sim/config/units.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>

#include "sim/core/error.hpp"
#include "sim/core/format.hpp"
#include "sim/spec/input_file.hpp"

namespace trainsim {
namespace {

struct Prefix {
  std::string_view text;
  double factor;
};

// Longest spellings first so "Gi" wins over "G".
constexpr std::array<Prefix, 11> kPrefixes{{
    {"Ki", 1024.0},
    {"Mi", 1048576.0},
    {"Gi", 1073741824.0},
    {"Ti", 1099511627776.0},
    {"Pi", 1125899906842624.0},
    {"k", 1e3},
    {"K", 1e3},
    {"M", 1e6},
    {"G", 1e9},
    {"T", 1e12},
    {"P", 1e15},
}};

struct BaseUnit {
  std::string_view text;
  double factor;  // to the SI base unit of the dimension
};

constexpr std::array<BaseUnit, 1> kByteUnits{{{"B", 1.0}}};
constexpr std::array<BaseUnit, 7> kBandwidthUnits{{
    {"B/s", 1.0},
    {"Bps", 1.0},
    {"bit/s", 0.125},
    {"b/s", 0.125},
    {"bps", 0.125},
    {"Bytes/s", 1.0},
    {"bits/s", 0.125},
}};
constexpr std::array<BaseUnit, 4> kFlopRateUnits{{
    {"FLOPS", 1.0},
    {"FLOP/s", 1.0},
    {"FLOPs/s", 1.0},
    {"flops", 1.0},
}};

constexpr std::array<BaseUnit, 1> kPowerUnits{{{"W", 1.0}}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

[[noreturn]] void fail(std::string_view text, Dimension d, std::string_view why) {
  throw UnitError("'" + shown_name(text) + "' is not a valid " + std::string(dimension_name(d)) + " (" +
                  std::string(why) + "); valid examples: " + std::string(dimension_examples(d)));
}

// Splits "12.5GB/s" into 12.5 and "GB/s". Throws when no number leads.
std::pair<double, std::string_view> split_number(std::string_view text, Dimension d) {
  std::string_view s = trim(text);
  double value = 0.0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc::result_out_of_range)
    fail(text, d, "the number is out of range: not finite as a double (beyond about 1.8e308) or too small to hold");
  if (ec != std::errc() || end == s.data()) fail(text, d, "it does not start with a number");
  if (!std::isfinite(value)) fail(text, d, "the number is not finite");
  std::string_view unit = trim(std::string_view(end, static_cast<size_t>(s.data() + s.size() - end)));
  return {value, unit};
}

template <size_t N>
std::optional<double> match_unit(std::string_view unit, const std::array<BaseUnit, N>& bases) {
  for (const auto& base : bases) {
    if (unit.size() < base.text.size()) continue;
    if (unit.substr(unit.size() - base.text.size()) != base.text) continue;
    std::string_view prefix = unit.substr(0, unit.size() - base.text.size());
    if (prefix.empty()) return base.factor;
    for (const auto& p : kPrefixes)
      if (p.text == prefix) return base.factor * p.factor;
  }
  return std::nullopt;
}

std::optional<double> time_factor(std::string_view unit) {
  if (unit == "s") return 1.0;
  if (unit == "ms") return 1e-3;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1e-6;  // us, µs, μs
  if (unit == "ns") return 1e-9;
  if (unit == "ps") return 1e-12;
  return std::nullopt;
}

std::optional<double> count_factor(std::string_view unit) {
  if (unit.empty()) return 1.0;
  if (unit == "K" || unit == "k") return 1e3;
  if (unit == "M") return 1e6;
  if (unit == "B" || unit == "G") return 1e9;  // "7.5B" parameters: billions
  if (unit == "T") return 1e12;
  return std::nullopt;
}

std::optional<double> unit_factor(std::string_view unit, Dimension d) {
  switch (d) {
    case Dimension::bytes: return match_unit(unit, kByteUnits);
    case Dimension::bandwidth: return match_unit(unit, kBandwidthUnits);
    case Dimension::flop_rate: return match_unit(unit, kFlopRateUnits);
    case Dimension::power: return match_unit(unit, kPowerUnits);
    case Dimension::time: return time_factor(unit);
    case Dimension::count: return count_factor(unit);
    case Dimension::fraction:
      if (unit.empty()) return 1.0;
      if (unit == "%") return 0.01;
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string_view dimension_name(Dimension d) {
  switch (d) {
    case Dimension::bytes: return "size in bytes";
    case Dimension::bandwidth: return "bandwidth";
    case Dimension::time: return "time";
    case Dimension::flop_rate: return "FLOP rate";
    case Dimension::power: return "power";
    case Dimension::count: return "count";
    case Dimension::fraction: return "fraction";
  }
  return "quantity";
}

std::string_view dimension_examples(Dimension d) {
  switch (d) {
    case Dimension::bytes:
      return "\"80GiB\", \"1.92TB\", \"512MiB\" (decimal k M G T P or binary Ki Mi Gi Ti Pi, then B)";
    case Dimension::bandwidth:
      return "\"450GB/s\", \"400Gbps\", \"25GiB/s\" (B/s or Bps for bytes, b/s or bps for bits)";
    case Dimension::time: return "\"1.5us\", \"2ms\", \"300ns\", \"1s\"";
    case Dimension::flop_rate: return "\"989TFLOPS\", \"312TFLOP/s\"";
    case Dimension::power: return "\"1000W\", \"1.2kW\"";
    case Dimension::count: return "\"7.5B\", \"175M\", \"4K\", \"5e8\", \"1024\"";
    case Dimension::fraction: return "\"0.85\", \"85%\"";
  }
  return "";
}

double parse_quantity(std::string_view text, Dimension d) {
  auto [number, unit] = split_number(text, d);
  bool unit_required = d != Dimension::count && d != Dimension::fraction;
  if (unit.empty() && unit_required) fail(text, d, "a unit is required");
  std::optional<double> factor = unit_factor(unit, d);
  if (!factor) fail(text, d, "unknown unit '" + std::string(unit) + "'");
  double value = number * *factor;
  if (!std::isfinite(value)) fail(text, d, "the value overflows");
  return value;
}

std::string format_quantity(double v, Dimension d) {
  auto scaled = [&](std::string_view base, bool binary) {
    static constexpr std::array<const char*, 6> dec{"", "k", "M", "G", "T", "P"};
    static constexpr std::array<const char*, 6> bin{"", "Ki", "Mi", "Gi", "Ti", "Pi"};
    double step = binary ? 1024.0 : 1000.0;
    size_t i = 0;
    double x = v;
    while (std::fabs(x) >= step && i + 1 < dec.size()) {
      x /= step;
      ++i;
    }
    return general(x, 4) + " " + (binary ? bin[i] : dec[i]) + std::string(base);
  };
  switch (d) {
    case Dimension::bytes: return scaled("B", true);
    case Dimension::bandwidth: return scaled("B/s", false);
    case Dimension::flop_rate: return scaled("FLOP/s", false);
    case Dimension::power: return scaled("W", false);
    case Dimension::count: return scaled("", false);
    case Dimension::fraction: return general(v, 4);
    case Dimension::time:
      if (std::fabs(v) >= 1.0) return general(v, 4) + " s";
      if (std::fabs(v) >= 1e-3) return general(v * 1e3, 4) + " ms";
      if (std::fabs(v) >= 1e-6) return general(v * 1e6, 4) + " us";
      return general(v * 1e9, 4) + " ns";
  }
  return std::to_string(v);
}

namespace {

// The shortest "%g" text of v that reads back exactly, with the exponent
// written as YAML users write it ("5e+08" -> "5e8").
std::string shortest_number(double v) {
  std::string text;
  for (int digits = 1; digits <= 17; ++digits) {
    text = general(v, digits);
    if (std::stod(text) == v) break;
  }
  const size_t e = text.find('e');
  if (e == std::string::npos) return text;
  std::string exponent = text.substr(e + 1);
  const bool negative = exponent[0] == '-';
  exponent.erase(0, exponent.find_first_not_of("+-0"));
  return text.substr(0, e + 1) + (negative ? "-" : "") + (exponent.empty() ? "0" : exponent);
}

}  // namespace

std::string format_quantity_yaml(double v, Dimension d) {
  if (d == Dimension::count || d == Dimension::fraction) return shortest_number(v);
  std::string text = format_quantity(v, d);
  text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
  if (parse_quantity(text, d) == v) return text;
  // format_quantity rounds to 4 digits: fall back to the exact number in SI units.
  const std::string_view unit = d == Dimension::bytes       ? "B"
                                : d == Dimension::bandwidth ? "B/s"
                                : d == Dimension::flop_rate ? "FLOP/s"
                                : d == Dimension::power     ? "W"
                                                            : "s";
  return shortest_number(v) + std::string(unit);
}

std::optional<bool> parse_boolean(std::string_view text) {
  std::string t;
  for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "true" || t == "yes" || t == "on" || t == "1") return true;
  if (t == "false" || t == "no" || t == "off" || t == "0") return false;
  return std::nullopt;
}

}  // namespace trainsim
