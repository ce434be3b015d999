// Private to the scenario loader: typed reads of a ConfigDoc's keys.
#pragma once

#include <string>

#include "sim/config/config_doc.hpp"
#include "sim/spec/enum_names.hpp"

namespace trainsim {

inline int get_i(const ConfigDoc& d, const std::string& key) { return static_cast<int>(d.get_int(key)); }

// The enum value whose name `key` holds (the key table, whose choices are the
// enum's names, checked the choice).
template <class E>
E pick(const ConfigDoc& d, const std::string& key) {
  const std::string v = d.get_choice(key);
  if (std::optional<E> e = enum_value<E>(v)) return *e;
  std::string valid;
  for (const std::string& n : enum_names<E>()) valid += (valid.empty() ? "" : ", ") + n;
  d.fail(key, "'" + v + "' is not a value trainsim handles; valid: " + valid);
}

// As pick(), or nothing for the choice "auto".
template <class E>
std::optional<E> pick_or_auto(const ConfigDoc& d, const std::string& key) {
  if (d.get_choice(key) == "auto") return std::nullopt;
  return pick<E>(d, key);
}

}  // namespace trainsim
