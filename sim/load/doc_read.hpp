// Private to the scenario loader: typed reads of a ConfigDoc's keys.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "sim/config/config_doc.hpp"

namespace trainsim {

inline int get_i(const ConfigDoc& d, const std::string& key) { return static_cast<int>(d.get_int(key)); }

// The enum value whose name `key` holds (the key table checked the choice).
template <class E>
E pick(const ConfigDoc& d, const std::string& key, std::initializer_list<std::pair<const char*, E>> names) {
  std::string v = d.get_choice(key);
  for (const auto& [name, e] : names)
    if (v == name) return e;
  d.fail(key, "unhandled value '" + v + "'");
}

}  // namespace trainsim
