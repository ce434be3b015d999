#include "sim/import/deepspeed/ds_reader.hpp"

#include <algorithm>
#include <cmath>

#include "sim/import/deepspeed/ds_config_keys.hpp"
#include "sim/config/keys.hpp"

namespace trainsim::ds {
namespace {

// RFC 6901 escaping of one key: '~' -> "~0", '/' -> "~1".
std::string token(const std::string& key) {
  std::string out;
  for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

}  // namespace

std::string dotted(const std::string& pointer) {
  std::string out = pointer.empty() ? pointer : pointer.substr(1);
  std::replace(out.begin(), out.end(), '/', '.');
  return out;
}

void Reader::resolve_auto(const std::string& pointer, const json& value, const std::string& why) {
  resolve(pointer, value);
  out_.assumptions.push_back("ds_config " + dotted(pointer) + ": auto -> " + value.dump() + " (" + why + ")");
}

Reader::Reader(json root, const std::string& text, std::string file, const DsContext& ctx)
    : root_(std::move(root)), resolved_(root_), lines_(text), file_(std::move(file)), ctx_(ctx) {}

SourceLocation Reader::at(const std::string& pointer) const { return {file_, lines_.line(pointer), pointer}; }

void Reader::fail(const std::string& pointer, const std::string& message) const {
  throw ConfigError(at(pointer), message);
}

const json& Reader::get(const std::string& pointer) const { return root_.at(json::json_pointer(pointer)); }

bool Reader::has(const std::string& pointer) const {
  json::json_pointer p(pointer);
  return root_.contains(p) && !root_.at(p).is_null();
}

bool Reader::is_auto(const std::string& pointer) const {
  return has(pointer) && get(pointer).is_string() && get(pointer).get<std::string>() == "auto";
}

bool Reader::section(const std::string& pointer, const std::string& name, const std::vector<std::string>& modelled,
                     const std::string& why) {
  if (!has(pointer)) return false;
  const json& v = get(pointer);
  std::string where = name.empty() ? "at the top of a ds_config" : "in DeepSpeed's \"" + name + "\" section";
  if (!v.is_object()) fail(pointer, "expected a JSON object {...} " + where + ", found " + v.dump());
  const auto& known = ds_known_keys(name);
  for (const auto& item : v.items()) {
    std::string p = pointer + "/" + token(item.key());
    if (std::find(known.begin(), known.end(), item.key()) == known.end())
      fail(p, "unknown key " + where + "; did you mean '" + nearest_name(item.key(), known) +
                  "'? (DeepSpeed rejects unknown keys; see its config-json documentation)");
    if (std::find(modelled.begin(), modelled.end(), item.key()) == modelled.end()) ignore(p, why);
  }
  return true;
}

std::optional<long long> Reader::integer(const std::string& pointer, long long min, double max) const {
  if (!has(pointer)) return std::nullopt;
  const json& v = get(pointer);
  if (!v.is_number() || v.is_boolean())
    fail(pointer,
         "expected an integer" + std::string(min > 0 ? " >= " + std::to_string(min) : "") + ", found " + v.dump());
  double x = v.get<double>();
  if (x != std::floor(x) || !std::isfinite(x))
    fail(pointer, "expected an integer; " + v.dump() + " is not a whole number (write e.g. 5e8 or 500000000)");
  if (x < static_cast<double>(min) || x > 9e18)
    fail(pointer, "expected an integer >= " + std::to_string(min) + ", found " + v.dump());
  if (x > max)
    fail(pointer, "expected an integer <= " + std::to_string(static_cast<long long>(max)) +
                      " (trainsim's limit, "
                      "docs/limits.md), found " +
                      v.dump());
  return static_cast<long long>(x);
}

std::optional<double> Reader::number(const std::string& pointer) const {
  if (!has(pointer)) return std::nullopt;
  const json& v = get(pointer);
  if (!v.is_number() || v.is_boolean()) fail(pointer, "expected a number, found " + v.dump());
  return v.get<double>();
}

std::optional<bool> Reader::boolean(const std::string& pointer) const {
  if (!has(pointer)) return std::nullopt;
  const json& v = get(pointer);
  if (!v.is_boolean()) fail(pointer, "expected true or false, found " + v.dump());
  return v.get<bool>();
}

std::optional<std::string> Reader::string(const std::string& pointer) const {
  if (!has(pointer)) return std::nullopt;
  const json& v = get(pointer);
  if (!v.is_string()) fail(pointer, "expected a string, found " + v.dump());
  return v.get<std::string>();
}

void Reader::set(const std::string& key, const std::string& value, const std::string& pointer,
                 const std::string& note) {
  out_.settings.push_back({key, value, at(pointer), false, note});
}

void Reader::set_default(const std::string& key, const std::string& value, const std::string& pointer,
                         const std::string& note) {
  out_.settings.push_back({key, value, at(pointer), true, note});
}

void Reader::ignore(const std::string& pointer, const std::string& why) {
  out_.ignored.push_back(dotted(pointer) + " (" + why + ")");
}

}  // namespace trainsim::ds
