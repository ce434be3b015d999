#include "sim/config/config_doc.hpp"

#include "sim/config/units.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>

#include "sim/config/yaml_read.hpp"
#include "sim/spec/input_file.hpp"

namespace trainsim {

// Walks a parsed YAML tree into a ConfigDoc, checking every key against the table.
class DocBuilder {
 public:
  // `shown` prefixes the keys in locations (an inline card's "model.").
  explicit DocBuilder(ConfigDoc& doc, std::string shown = "") : doc_(doc), shown_(std::move(shown)) {}

  void walk_root(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull()) return;  // an empty file: defaults only
    if (!root.IsMap()) {
      throw ConfigError({doc_.file_, root.Mark().line + 1, ""}, "expected a map of keys at the top of this " +
                                                                    doc_.table_->kind() +
                                                                    "; valid keys: " + list(doc_.table_->children("")));
    }
    walk_map(root, "");
  }

 private:
  static std::string list(const std::vector<std::string>& v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
    return out;
  }

  void walk_map(const YAML::Node& map, const std::string& prefix) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      int line = it->first.Mark().line + 1;
      if (!it->first.IsScalar()) throw ConfigError({doc_.file_, line, prefix}, "a key must be a plain name");
      std::string key = prefix.empty() ? it->first.Scalar() : prefix + "." + it->first.Scalar();
      visit(key, it->second, line);
    }
  }

  // An inline card (`model: {layers: 24, ...}`): read against the card's own table.
  void visit_inline(const KeyDef& def, const std::string& key, const YAML::Node& value, int line) {
    auto card = std::make_shared<ConfigDoc>(ConfigDoc(doc_.file_, def.inline_card()));
    DocBuilder(*card, shown_ + key + ".").walk_map(value, "");
    doc_.values_[key] = {"(inline " + card->table().kind() + ")", {doc_.file_, line, shown_ + key}};
    doc_.inline_[key] = std::move(card);
  }

  // A YAML list of scalars as the text "[a, b, ...]" (KeyDef::number_list).
  std::string list_text(const YAML::Node& value, const std::string& key, int line) const {
    std::string text = "[";
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (!value[i].IsScalar())
        throw ConfigError({doc_.file_, line, key},
                          "expected a list of numbers; item " + std::to_string(i + 1) + " is not a number");
      text += (i ? ", " : "") + value[i].Scalar();
    }
    return text + "]";
  }

  void visit(const std::string& key, const YAML::Node& value, int line) {
    const KeyTable& table = *doc_.table_;
    const KeyDef* def = table.find(key);
    if (def && def->inline_card && value.IsMap()) {
      visit_inline(*def, key, value, line);
    } else if (def && def->number_list && value.IsSequence()) {
      doc_.values_[key] = {list_text(value, shown_ + key, line), {doc_.file_, line, shown_ + key}};
      doc_.inline_.erase(key);
    } else if (def) {
      if (!value.IsScalar()) {
        std::string what = value.IsMap() ? "a map" : value.IsSequence() ? "a list" : "no value";
        throw ConfigError({doc_.file_, line, shown_ + key}, "expected " + def->describe_type() + ", found " + what);
      }
      doc_.values_[key] = {value.Scalar(), {doc_.file_, line, shown_ + key}};
      doc_.inline_.erase(key);
    } else if (table.is_section(key)) {
      if (!value.IsMap())
        throw ConfigError({doc_.file_, line, shown_ + key},
                          "is a section; expected a map with keys " + list(table.children(key)));
      walk_map(value, key);
    } else {
      throw ConfigError({doc_.file_, line, shown_ + key}, "unknown key in this " + table.kind() + "; did you mean '" +
                                                              table.nearest(key) +
                                                              "'? (`trainsim help keys` lists all)");
    }
  }

  ConfigDoc& doc_;
  std::string shown_;
};

namespace {

ConfigDoc parse(const std::string& text, ConfigDoc doc, const std::string& file) {
  DocBuilder(doc).walk_root(load_yaml(text, file));
  return doc;
}

}  // namespace

ConfigDoc ConfigDoc::load_file(const std::string& path, const KeyTable& table) {
  return parse(read_input_file(path, table.kind() + " file"), ConfigDoc(path, table), path);
}

ConfigDoc ConfigDoc::load_string(const std::string& yaml, const std::string& file, const KeyTable& table) {
  return parse(yaml, ConfigDoc(file, table), file);
}

void ConfigDoc::apply_override(const std::string& assignment) {
  size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError({"--set", 0, assignment}, "expected --set dotted.key=value, e.g. --set parallel.tp=4");
  std::string key = assignment.substr(0, eq);
  std::string value = assignment.substr(eq + 1);
  if (!table_->find(key)) {
    std::string why = table_->is_section(key) ? "is a section, not a key; set one of its keys"
                                              : "unknown key; did you mean '" + table_->nearest(key) + "'?";
    throw ConfigError({"--set", 0, key}, why);
  }
  values_[key] = {value, {"--set", 0, key}};
  inline_.erase(key);
}

void ConfigDoc::apply_import(const std::string& key, const std::string& value, const SourceLocation& where) {
  def(key);  // throws for an undeclared key (an importer bug)
  values_[key] = {value, where};
}

std::string ConfigDoc::text_of(const std::string& key) const {
  auto it = values_.find(key);
  return it != values_.end() ? it->second.text : def(key).default_value;
}

bool ConfigDoc::given(const std::string& key) const { return values_.count(key) > 0; }

SourceLocation ConfigDoc::where(const std::string& key) const {
  auto it = values_.find(key);
  if (it != values_.end()) return it->second.where;
  return {file_, 0, key};
}

std::map<std::string, SourceLocation> ConfigDoc::locations() const {
  std::map<std::string, SourceLocation> out;
  for (const auto& [k, e] : values_) out[k] = e.where;
  return out;
}

bool ConfigDoc::is_inline(const std::string& key) const { return inline_.count(key) > 0; }

const ConfigDoc& ConfigDoc::inline_doc(const std::string& key) const {
  auto it = inline_.find(key);
  // internal: callers ask only for keys is_inline reported
  if (it == inline_.end()) throw std::logic_error("no inline card at " + table_->kind() + " key " + key);
  return *it->second;
}

void ConfigDoc::fail(const std::string& key, const std::string& message) const {
  throw ConfigError(where(key), message);
}

const KeyDef& ConfigDoc::def(const std::string& key) const {
  const KeyDef* d = table_->find(key);
  // internal: the code reads a key its own table does not declare
  if (!d) throw std::logic_error("undeclared " + table_->kind() + " key read: " + key);
  return *d;
}

const std::string& ConfigDoc::text(const std::string& key) const {
  auto it = values_.find(key);
  if (it != values_.end()) return it->second.text;
  const KeyDef& d = def(key);
  if (d.default_value.empty()) fail(key, "missing required key (" + d.help + "); expected " + d.describe_type());
  return d.default_value;
}

void ConfigDoc::check_range(const KeyDef& d, double v) const {
  if ((d.min && v < *d.min) || (d.max && v > *d.max)) fail(d.path, "value out of range; expected " + d.describe_type());
}

long long ConfigDoc::get_int(const std::string& key) const {
  const std::string& t = text(key);
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(t, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != t.size() || t.empty()) fail(key, "'" + shown_name(t) + "' is not " + def(key).describe_type());
  check_range(def(key), static_cast<double>(v));
  return v;
}

double ConfigDoc::get_number(const std::string& key) const {
  const std::string& t = text(key);
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(t, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != t.size() || t.empty() || !std::isfinite(v))
    fail(key, "'" + shown_name(t) + "' is not " + def(key).describe_type());
  check_range(def(key), v);
  return v;
}

bool ConfigDoc::get_bool(const std::string& key) const {
  const std::string& t = text(key);
  if (std::optional<bool> b = parse_boolean(t)) return *b;
  fail(key, "'" + shown_name(t) + "' is not a boolean: write " + kBooleanSpellings);
}

std::string ConfigDoc::get_string(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end() && def(key).default_value.empty()) {
    if (def(key).required) text(key);  // throws "missing required key"
    return "";
  }
  return text(key);
}

std::string ConfigDoc::get_choice(const std::string& key) const {
  const std::string& t = text(key);
  const KeyDef& d = def(key);
  for (const auto& c : d.choices)
    if (c == t) return t;
  fail(key, "'" + shown_name(t) + "' is not valid; expected " + d.describe_type());
}

double ConfigDoc::get_quantity(const std::string& key) const {
  const std::string& t = text(key);
  double v = 0;
  try {
    v = parse_quantity(t, def(key).dim);
  } catch (const UnitError& e) {
    fail(key, e.what());
  }
  check_range(def(key), v);
  return v;
}

}  // namespace trainsim
