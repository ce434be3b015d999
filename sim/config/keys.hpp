// The declared table of keys: every key of every trainsim YAML file appears
// here exactly once with its type, unit, default and help text. This table
// drives validation (unknown keys, types, ranges), defaults, and
// `trainsim help keys`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/config/units.hpp"

namespace trainsim {

enum class ValueType {
  integer,   // whole number, e.g. 8
  number,    // real number, e.g. 0.5
  boolean,   // true | false
  string,    // free text
  choice,    // one of `choices`
  quantity,  // number with a unit of `dim` (units.hpp)
  path,      // a file path or a zoo name
};

class KeyTable;

struct KeyDef {
  std::string path;  // dotted key, e.g. "parallel.tp"
  ValueType type = ValueType::string;
  Dimension dim = Dimension::count;  // for quantity
  std::string default_value;         // as written in YAML; "" = none (see `required`)
  std::string help;
  std::vector<std::string> choices;  // for choice
  bool required = false;             // must be given (no default)
  std::optional<double> min;         // inclusive lower bound (integer, number, quantity)
  std::optional<double> max;         // inclusive upper bound
  // A path key that may instead hold an inline map of this card's keys
  // (`model: {layers: 24, ...}`); nullptr = a scalar only.
  const KeyTable& (*inline_card)() = nullptr;
  // The default is an assumption, not a datasheet figure: a card that leaves
  // the key to it lists it among the run's assumptions (ClusterSpec::assumptions).
  bool assumed_default = false;
  // A string key that may also be written as a YAML list of scalars, read as
  // its text "[a, b, ...]" (training.moe_token_histogram).
  bool number_list = false;

  // A key with every other field at its default.
  static KeyDef of(std::string path, ValueType type, Dimension dim = Dimension::count);

  // "integer >= 1", "one of none|cpu|nvme", "bandwidth, e.g. ..." for messages.
  std::string describe_type() const;
};

class KeyTable {
 public:
  KeyTable(std::string kind, std::vector<KeyDef> keys);

  const std::string& kind() const { return kind_; }  // "scenario", "model card", ...
  const std::vector<KeyDef>& keys() const { return keys_; }

  const KeyDef* find(std::string_view path) const;
  // True when `path` is a section (a prefix "path." of some key).
  bool is_section(std::string_view path) const;
  // The valid key nearest to `path` by edit distance, for "did you mean".
  std::string nearest(std::string_view path) const;
  // The keys directly under section `prefix` ("" = top level), for messages.
  std::vector<std::string> children(std::string_view prefix) const;

 private:
  std::string kind_;
  std::vector<KeyDef> keys_;
};

const KeyTable& scenario_keys();
const KeyTable& model_keys();
const KeyTable& gpu_keys();
const KeyTable& cluster_keys();

// All tables, for `trainsim help keys`.
std::vector<const KeyTable*> all_key_tables();

// Levenshtein distance, used for suggestions.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `name` by edit distance (the first of equals; "" when
// there are none): the "did you mean" of every key table and importer.
std::string nearest_name(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace trainsim
