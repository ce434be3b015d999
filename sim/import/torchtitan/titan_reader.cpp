#include "sim/import/torchtitan/titan_reader.hpp"

#include <algorithm>
#include <cmath>

#include "sim/config/keys.hpp"
#include "sim/spec/input_file.hpp"
#include "sim/spec/limits.hpp"

namespace trainsim::titan {
namespace {

std::string join(const std::string& section, const std::string& key) {
  return section.empty() ? key : section + "." + key;
}

std::string parent(const std::string& key) {
  auto dot = key.rfind('.');
  return dot == std::string::npos ? "" : key.substr(0, dot);
}

const char* type_name(const toml::node& n) {
  if (n.is_table()) return "a table";
  if (n.is_array()) return "an array";
  if (n.is_string()) return "a string";
  if (n.is_integer()) return "an integer";
  if (n.is_floating_point()) return "a float";
  if (n.is_boolean()) return "a boolean";
  return "a date or time";
}

}  // namespace

Reader::Reader(const std::string& text, std::string file, const TitanContext& ctx) : file_(std::move(file)), ctx_(ctx) {
  try {
    root_ = toml::parse(text, file_);
  } catch (const toml::parse_error& e) {
    throw ConfigError({file_, static_cast<int>(e.source().begin.line), ""},
                      "malformed TOML: " + std::string(e.description()));
  }
}

const toml::node* Reader::node(const std::string& key) const {
  return key.empty() ? &root_ : root_.at_path(key).node();
}

SourceLocation Reader::at(const std::string& key) const {
  for (std::string k = key; !k.empty(); k = parent(k))
    if (const toml::node* n = node(k)) return {file_, static_cast<int>(n->source().begin.line), key};
  return {file_, 0, key};
}

void Reader::fail(const std::string& key, const std::string& message) const { throw ConfigError(at(key), message); }

namespace {

// Every key of every table whose section torchtitan declares, against the
// declared names (recursive: [training.dataloader], [quantize.linear.float8]).
void check_table(const Reader& r, const toml::table& t, const std::string& path) {
  const auto& known = titan_known_keys(path);
  for (auto&& kv : t) {
    const std::string key(kv.first.str());
    const std::string full = join(path, key);
    if (key.size() > kMaxKeyLength)
      throw ConfigError({r.at(full).file, r.at(full).line, join(path, shown_name(key))},
                        "a key of " + std::to_string(key.size()) + " bytes; trainsim reads keys of at most " +
                            std::to_string(kMaxKeyLength) + " (docs/limits.md, Input files)");
    if (std::find(known.begin(), known.end(), key) == known.end())
      r.fail(full, path.empty() ? "unknown section [" + key + "] of a torchtitan job config; did you mean [" +
                                      nearest_name(key, known) + "]? (torchtitan's JobConfig has no such field)"
                                : "unknown key in torchtitan's [" + path + "] section; did you mean '" +
                                      nearest_name(key, known) + "'? (torchtitan's JobConfig rejects unknown fields)");
    const auto* sub = kv.second.as_table();
    if (path.empty() && !sub)
      r.fail(full, "expected a table [" + key + "] in a torchtitan job config, found " + type_name(kv.second));
    if (sub && !titan_known_keys(full).empty()) check_table(r, *sub, full);
  }
}

}  // namespace

void Reader::check_sections() {
  check_table(*this, root_, "");
  for (auto&& kv : root_) {
    const std::string key(kv.first.str());
    if (titan_ignored_section(key)) ignore(key, "the whole section: no effect on step time or memory");
  }
}

void Reader::section(const std::string& section, const std::vector<std::string>& modelled, const std::string& why) {
  const toml::node* n = node(section);
  if (!n) return;
  const auto* t = n->as_table();
  if (!t) fail(section, "expected a table [" + section + "], found " + type_name(*n));
  for (auto&& kv : *t) {
    const std::string key(kv.first.str());
    if (kv.second.is_table()) continue;  // a sub-section, read on its own
    if (std::find(modelled.begin(), modelled.end(), key) == modelled.end()) ignore(join(section, key), why);
  }
}

std::optional<long long> Reader::integer(const std::string& key, long long min, double max) const {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (!n->is_integer()) fail(key, "expected an integer >= " + std::to_string(min) + ", found " + type_name(*n));
  long long v = n->as_integer()->get();
  if (v < min) fail(key, "expected an integer >= " + std::to_string(min) + ", found " + std::to_string(v));
  if (static_cast<double>(v) > max)
    fail(key, "expected an integer <= " + std::to_string(static_cast<long long>(max)) +
                  " (trainsim's limit, docs/limits.md), found " + std::to_string(v));
  return v;
}

std::optional<double> Reader::number(const std::string& key) const {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (n->is_integer()) return static_cast<double>(n->as_integer()->get());
  if (!n->is_floating_point()) fail(key, std::string("expected a number, found ") + type_name(*n));
  return n->as_floating_point()->get();
}

std::optional<bool> Reader::boolean(const std::string& key) const {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (!n->is_boolean()) fail(key, std::string("expected true or false, found ") + type_name(*n));
  return n->as_boolean()->get();
}

std::optional<std::string> Reader::string(const std::string& key) const {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (!n->is_string()) fail(key, std::string("expected a string, found ") + type_name(*n));
  return n->as_string()->get();
}

std::vector<std::string> Reader::strings(const std::string& key) const {
  const toml::node* n = node(key);
  if (!n) return {};
  const auto* a = n->as_array();
  if (!a) fail(key, std::string("expected an array of strings, found ") + type_name(*n));
  std::vector<std::string> out;
  for (const toml::node& e : *a) {
    if (!e.is_string()) fail(key, std::string("expected an array of strings; one element is ") + type_name(e));
    out.push_back(e.as_string()->get());
  }
  return out;
}

std::optional<std::string> Reader::scalar_text(const std::string& key) const {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (n->is_integer()) return std::to_string(n->as_integer()->get());
  return string(key);
}

void Reader::set(const std::string& key, const std::string& value, const std::string& from, const std::string& note) {
  out_.settings.push_back({key, value, at(from), false, note});
}

void Reader::set_default(const std::string& key, const std::string& value, const std::string& from,
                         const std::string& note) {
  out_.settings.push_back({key, value, at(from), true, note});
}

void Reader::ignore(const std::string& key, const std::string& why) { out_.ignored.push_back(key + " (" + why + ")"); }

}  // namespace trainsim::titan
