#include "sim/sweep/sweep_values.hpp"

#include "sim/config/config_doc.hpp"

namespace trainsim {
namespace {

// A range never yields more values than this (a typo such as `to: 1e9` is an error, not a hang).
constexpr long long kMaxRangeValues = 4096;

long long range_int(const SourceLocation& where, const YAML::Node& map, const char* name) {
  const YAML::Node n = map[name];
  std::string text = n.IsScalar() ? n.Scalar() : "";
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size())
    throw ConfigError(where, std::string("range ") + name + ": '" + text + "' is not an integer");
  return v;
}

std::vector<std::string> range_values(const SourceLocation& where, const YAML::Node& map) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    std::string k = it->first.IsScalar() ? it->first.Scalar() : "";
    if (k != "from" && k != "to" && k != "step" && k != "times")
      throw ConfigError(
          where, "a range takes from, to and step or times, e.g. {from: 1, to: 64, times: 2}; found '" + k + "'");
  }
  if (!map["from"] || !map["to"] || (!map["step"] == !map["times"]))
    throw ConfigError(where, "a range needs from, to and exactly one of step or times, e.g. {from: 1, to: 8, step: 1}");
  long long from = range_int(where, map, "from"), to = range_int(where, map, "to");
  bool geometric = static_cast<bool>(map["times"]);
  long long by = range_int(where, map, geometric ? "times" : "step");
  if (from > to) throw ConfigError(where, "range from " + std::to_string(from) + " is above to " + std::to_string(to));
  if (geometric && (by < 2 || from < 1)) throw ConfigError(where, "a times range needs times >= 2 and from >= 1");
  if (!geometric && by < 1) throw ConfigError(where, "a step range needs step >= 1");
  std::vector<std::string> out;
  for (long long v = from; v <= to; v = geometric ? v * by : v + by) {
    out.push_back(std::to_string(v));
    if (static_cast<long long>(out.size()) > kMaxRangeValues)
      throw ConfigError(where, "the range has more than " + std::to_string(kMaxRangeValues) + " values");
  }
  return out;
}

}  // namespace

std::vector<std::string> axis_values(const SourceLocation& where, const YAML::Node& value) {
  if (value.IsScalar()) return {value.Scalar()};
  if (value.IsMap()) return range_values(where, value);
  if (!value.IsSequence() || value.size() == 0)
    throw ConfigError(where,
                      "expected a value, a list of values such as [1, 2, 4] or a range such as "
                      "{from: 1, to: 8, step: 1}");
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.IsScalar()) throw ConfigError(where, "list items must be single values");
    for (const auto& seen : out)
      if (seen == item.Scalar()) throw ConfigError(where, "'" + seen + "' is listed twice");
    out.push_back(item.Scalar());
  }
  return out;
}

void check_scenario_value(const SourceLocation& where, const std::string& value) {
  const KeyDef* def = scenario_keys().find(where.key);
  if (!def) throw ConfigError(where, "not a scenario key");
  ConfigDoc d = ConfigDoc::load_string("", where.file, scenario_keys());
  d.apply_override(where.key + "=" + value);
  try {
    switch (def->type) {
      case ValueType::integer: d.get_int(where.key); break;
      case ValueType::number: d.get_number(where.key); break;
      case ValueType::boolean: d.get_bool(where.key); break;
      case ValueType::choice: d.get_choice(where.key); break;
      case ValueType::quantity: d.get_quantity(where.key); break;
      case ValueType::string:
      case ValueType::path: break;
    }
  } catch (const ConfigError& e) {
    throw ConfigError(where, e.message());
  }
}

ConfigError relocate(const SweepSpec& spec, const ConfigError& e) {
  const std::string& file = e.where().file;
  auto it = spec.lines.find(e.where().key);
  if (it == spec.lines.end() || (file != spec.file && file != "--set")) return e;
  return ConfigError({spec.file, it->second, e.where().key}, e.message());
}

}  // namespace trainsim
