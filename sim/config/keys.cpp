#include "sim/config/keys.hpp"
#include "sim/spec/limits.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <stdexcept>

namespace trainsim {
namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string number_text(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  return std::to_string(v);
}

}  // namespace

KeyDef KeyDef::of(std::string path, ValueType type, Dimension dim) {
  KeyDef k;
  k.path = std::move(path);
  k.type = type;
  k.dim = dim;
  return k;
}

std::string KeyDef::describe_type() const {
  std::string range;
  if (min && max)
    range = " in [" + number_text(*min) + ", " + number_text(*max) + "]";
  else if (min)
    range = " >= " + number_text(*min);
  else if (max)
    range = " <= " + number_text(*max);
  switch (type) {
    case ValueType::integer: return "an integer" + range;
    case ValueType::number: return "a number" + range;
    case ValueType::boolean: return "true or false";
    case ValueType::string: return number_list ? "a list of numbers" : "a string";
    case ValueType::choice: return "one of " + join(choices, "|");
    case ValueType::path: return inline_card ? "a file path, zoo name or inline map" : "a file path or zoo name";
    case ValueType::quantity:
      return "a " + std::string(dimension_name(dim)) + range + ", e.g. " + std::string(dimension_examples(dim));
  }
  return "a value";
}

KeyTable::KeyTable(std::string kind, std::vector<KeyDef> keys) : kind_(std::move(kind)), keys_(std::move(keys)) {
  // Integer keys without a declared maximum get the general cap, so every
  // value the loaders narrow to `int` is in range (limits.hpp).
  for (auto& k : keys_)
    if (k.type == ValueType::integer && !k.max) k.max = kMaxIntegerKey;
  std::set<std::string> seen;
  for (const auto& k : keys_)  // internal: the key tables are code, not input
    if (!seen.insert(k.path).second) throw std::logic_error("key declared twice: " + k.path);
}

const KeyDef* KeyTable::find(std::string_view path) const {
  for (const auto& k : keys_)
    if (k.path == path) return &k;
  return nullptr;
}

bool KeyTable::is_section(std::string_view path) const {
  std::string prefix = std::string(path) + ".";
  return std::any_of(keys_.begin(), keys_.end(), [&](const KeyDef& k) { return k.path.rfind(prefix, 0) == 0; });
}

std::string KeyTable::nearest(std::string_view path) const {
  std::vector<std::string> paths;
  paths.reserve(keys_.size());
  for (const auto& k : keys_) paths.push_back(k.path);
  return nearest_name(path, paths);
}

std::string nearest_name(std::string_view name, const std::vector<std::string>& candidates) {
  // Edit distance is quadratic: a 10 MB name against every candidate took
  // 33 s (issue 25). Only a name's first bytes can make it near a real one.
  name = name.substr(0, std::min(name.size(), kMaxNameForSuggestions));
  std::string best;
  size_t best_d = static_cast<size_t>(-1);
  for (const auto& c : candidates)
    if (size_t d = edit_distance(name, c); d < best_d) {
      best_d = d;
      best = c;
    }
  return best;
}

std::vector<std::string> KeyTable::children(std::string_view prefix) const {
  std::vector<std::string> out;
  std::string p = prefix.empty() ? "" : std::string(prefix) + ".";
  for (const auto& k : keys_) {
    if (k.path.rfind(p, 0) != 0) continue;
    std::string rest = k.path.substr(p.size());
    rest = rest.substr(0, rest.find('.'));
    if (std::find(out.begin(), out.end(), rest) == out.end()) out.push_back(rest);
  }
  return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  std::iota(prev.begin(), prev.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::vector<const KeyTable*> all_key_tables() {
  return {&scenario_keys(), &model_keys(), &gpu_keys(), &cluster_keys()};
}

}  // namespace trainsim
