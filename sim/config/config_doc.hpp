// A configuration document checked against a KeyTable: a YAML file (plus any
// --set overrides) flattened to dotted keys, each remembering its file and
// line. Typed getters parse values with the table's type and unit and fall
// back to the table's default, so defaults live in one place.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/config/keys.hpp"

namespace trainsim {

class ConfigDoc {
 public:
  // Reads and checks a YAML file: syntax errors, unknown keys (with the
  // nearest valid key), a map where a value belongs and vice versa.
  static ConfigDoc load_file(const std::string& path, const KeyTable& table);
  // Same, from YAML text; `file` names it in messages.
  static ConfigDoc load_string(const std::string& yaml, const std::string& file, const KeyTable& table);

  // Applies "dotted.key=value" as if the file said so (location "--set").
  void apply_override(const std::string& assignment);

  const std::string& file() const { return file_; }
  const KeyTable& table() const { return *table_; }

  // Sets `key` from an importer (ds_config.json, Megatron flags, a hostfile),
  // remembering `where`; the key must be declared. Checked by the typed getters.
  void apply_import(const std::string& key, const std::string& value, const SourceLocation& where);
  // The value text as given, else the table's default ("" when it has none).
  std::string text_of(const std::string& key) const;

  // True when the key was given in the file or by --set (not defaulted).
  bool given(const std::string& key) const;
  // Where the key's value came from (the file and line, "--set", or "default").
  SourceLocation where(const std::string& key) const;
  // Locations of every given key.
  std::map<std::string, SourceLocation> locations() const;

  // Typed getters; the key must be declared in the table. Throw ConfigError
  // naming file, line and key when the value does not parse or is out of
  // range, or when a required key is missing.
  long long get_int(const std::string& key) const;
  double get_number(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  std::string get_string(const std::string& key) const;
  std::string get_choice(const std::string& key) const;
  double get_quantity(const std::string& key) const;  // SI base units

  // True when a key that allows it (KeyDef::inline_card) holds an inline map;
  // inline_doc() is then that map read against the card's table, with the
  // locations of its keys in this file ("model.layers"). Throws
  // std::logic_error for a key without an inline map.
  bool is_inline(const std::string& key) const;
  const ConfigDoc& inline_doc(const std::string& key) const;

  // Throws ConfigError at `key`'s location with `message`.
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

 private:
  struct Entry {
    std::string text;
    SourceLocation where;
  };

  ConfigDoc(std::string file, const KeyTable& table) : file_(std::move(file)), table_(&table) {}
  const KeyDef& def(const std::string& key) const;
  // The value text: given, or the default; throws when required and missing.
  const std::string& text(const std::string& key) const;
  void check_range(const KeyDef& d, double v) const;

  friend class DocBuilder;
  std::string file_;
  const KeyTable* table_;
  std::map<std::string, Entry> values_;
  std::map<std::string, std::shared_ptr<const ConfigDoc>> inline_;  // key -> its inline card
};

}  // namespace trainsim
