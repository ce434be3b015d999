#include "sim/sweep/sweep_file.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "sim/config/config_doc.hpp"
#include "sim/config/yaml_read.hpp"
#include "sim/spec/input_file.hpp"
#include "sim/sweep/sweep_values.hpp"

namespace trainsim {
namespace {

KeyDef sweep_key(std::string path, ValueType type, std::string def, std::string help) {
  KeyDef k = KeyDef::of(std::move(path), type);
  k.default_value = std::move(def);
  k.help = std::move(help);
  return k;
}

std::vector<KeyDef> sweep_defs() {
  std::vector<KeyDef> k = scenario_keys().keys();
  KeyDef mode = sweep_key("search", ValueType::choice, "grid",
                          "grid: the product of the listed keys; all: every valid layout for the GPU count");
  mode.choices = {"grid", "all"};
  k.push_back(mode);
  k.push_back(sweep_key("search_options.tp_across_nodes", ValueType::boolean, "false",
                        "search: all tries tp larger than the GPUs of one node"));
  KeyDef mb = sweep_key("search_options.max_micro_batch", ValueType::integer, "8",
                        "search: all tries micro-batches 1, 2, 4, ... up to this that divide the batch per DP rank");
  mb.min = 1;
  k.push_back(mb);
  KeyDef cp = sweep_key("search_options.max_cp", ValueType::integer, "1",
                        "search: all tries context-parallel sizes 1, 2, 4, ... up to this");
  cp.min = 1;
  k.push_back(cp);
  k.push_back(sweep_key(
      "search_options.interleave", ValueType::boolean, "true",
      "search: all tries every vp > 1 that divides the layers per stage, counting the embedding and loss slots "
      "with parallel.embedding_in_pp_split (interleaved 1F1B)"));
  return k;
}

bool is_search_key(const std::string& key) { return key == "search" || key.rfind("search_options.", 0) == 0; }

// Walks the YAML tree: single values, axes, search settings, each with its line.
class SweepReader {
 public:
  SweepReader(SweepSpec& spec, const std::vector<std::string>& skip) : spec_(spec), skip_(skip) {}

  void read(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull()) return;
    if (!root.IsMap()) throw ConfigError({spec_.file, root.Mark().line + 1, ""}, "expected a map of scenario keys");
    walk(root, "");
    check_zips();
  }

  std::map<std::string, std::string> search_values;  // search and search_options.* as written

 private:
  void walk(const YAML::Node& map, const std::string& prefix) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      int line = it->first.Mark().line + 1;
      if (!it->first.IsScalar()) throw ConfigError({spec_.file, line, prefix}, "a key must be a plain name");
      std::string key = prefix.empty() ? it->first.Scalar() : prefix + "." + it->first.Scalar();
      if (prefix.empty() && std::find(skip_.begin(), skip_.end(), key) != skip_.end()) continue;
      if (key == "zip") {
        read_zips(it->second, line);
        continue;
      }
      visit(key, it->second, line);
    }
  }

  // zip: a map of keys to lists of one length (one group), or a list of such maps.
  void read_zips(const YAML::Node& node, int line) {
    if (node.IsMap()) return read_zip(node, line);
    if (!node.IsSequence() || node.size() == 0)
      throw ConfigError({spec_.file, line, "zip"},
                        "expected a map of keys to lists of one length (e.g. zip: {cluster: [a, b], nodes: [8, 4]}), "
                        "or a list of such maps");
    for (const auto& group : node) {
      if (!group.IsMap())
        throw ConfigError({spec_.file, group.Mark().line + 1, "zip"}, "each zip group is a map of keys to lists");
      read_zip(group, group.Mark().line + 1);
    }
  }

  void read_zip(const YAML::Node& map, int line) {
    std::vector<SearchAxis> group;
    flatten_zip(map, "", group);
    if (group.empty()) throw ConfigError({spec_.file, line, "zip"}, "a zip group needs at least one key");
    for (const auto& a : group)
      if (a.values.size() != group.front().values.size())
        throw ConfigError({spec_.file, spec_.lines[a.key], a.key},
                          "zip pairs the i-th values of its keys: this list has " + std::to_string(a.values.size()) +
                              " values, " + group.front().key + " has " + std::to_string(group.front().values.size()) +
                              "; give lists of one length");
    spec_.zips.push_back(std::move(group));
  }

  void flatten_zip(const YAML::Node& map, const std::string& prefix, std::vector<SearchAxis>& group) {
    const KeyTable& table = scenario_keys();
    for (auto it = map.begin(); it != map.end(); ++it) {
      const int line = it->first.Mark().line + 1;
      const std::string key = prefix.empty() ? it->first.Scalar() : prefix + "." + it->first.Scalar();
      if (!table.find(key)) {
        if (!table.is_section(key) || !it->second.IsMap())
          throw ConfigError({spec_.file, line, key},
                            "unknown scenario key in zip; did you mean '" + table.nearest(key) + "'?");
        flatten_zip(it->second, key, group);
        continue;
      }
      SourceLocation where{spec_.file, line, key};
      if (!it->second.IsSequence() && !it->second.IsMap())
        throw ConfigError(where, "a zipped key takes a list (or a range) of values");
      std::vector<std::string> values = axis_values(where, it->second);
      for (const auto& v : values) check_scenario_value(where, v);
      spec_.lines[key] = line;
      group.push_back({key, values});
    }
  }

  // A zipped key is set by its group alone.
  void check_zips() {
    for (const auto& group : spec_.zips)
      for (const auto& a : group) {
        const bool axis =
            std::any_of(spec_.axes.begin(), spec_.axes.end(), [&](const SearchAxis& x) { return x.key == a.key; });
        int twice = 0;
        for (const auto& g : spec_.zips)
          for (const auto& b : g) twice += b.key == a.key;
        if (spec_.values.count(a.key) || axis || twice > 1)
          throw ConfigError({spec_.file, spec_.lines[a.key], a.key},
                            "is given twice: in a zip group and elsewhere; keep one");
      }
  }

  void visit(const std::string& key, const YAML::Node& value, int line) {
    const KeyTable& table = sweep_keys();
    if (!table.find(key)) {
      if (!table.is_section(key))
        throw ConfigError({spec_.file, line, key}, "unknown key in this sweep file; did you mean '" +
                                                       table.nearest(key) + "'? (docs/sweep.md lists the sweep keys)");
      if (!value.IsMap()) throw ConfigError({spec_.file, line, key}, "is a section; expected a map of its keys");
      walk(value, key);
      return;
    }
    spec_.lines[key] = line;
    SourceLocation where{spec_.file, line, key};
    if (is_search_key(key)) {
      if (!value.IsScalar()) throw ConfigError(where, "expected a single value");
      search_values[key] = value.Scalar();
      return;
    }
    std::vector<std::string> values = axis_values(where, value);
    for (const auto& v : values)
      if (v == kAutoValue && key != "parallel.vp") throw ConfigError(where, "'auto' is valid for parallel.vp only");
    for (const auto& v : values)
      if (!(key == "parallel.vp" && v == kAutoValue)) check_scenario_value(where, v);
    if (values.size() == 1 && value.IsScalar() && values[0] != kAutoValue)
      spec_.values[key] = values[0];
    else
      spec_.axes.push_back({key, values});
  }

  SweepSpec& spec_;
  const std::vector<std::string>& skip_;
};

EnumerateOptions read_search(SweepSpec& spec, const std::map<std::string, std::string>& given) {
  ConfigDoc d = ConfigDoc::load_string("", spec.file, sweep_keys());
  for (const auto& [k, v] : given) d.apply_override(k + "=" + v);
  EnumerateOptions o;
  try {
    spec.mode = d.get_choice("search") == "all" ? SweepMode::all : SweepMode::grid;
    o.tp_across_nodes = d.get_bool("search_options.tp_across_nodes");
    o.max_micro_batch = static_cast<int>(d.get_int("search_options.max_micro_batch"));
    o.max_cp = static_cast<int>(d.get_int("search_options.max_cp"));
    o.interleave = d.get_bool("search_options.interleave");
  } catch (const ConfigError& e) {
    throw relocate(spec, e);
  }
  return o;
}

// The single-valued keys as nested YAML text (what load_scenario_string reads).
std::string base_yaml(const std::map<std::string, std::string>& values) {
  YAML::Node root(YAML::NodeType::Map);
  for (const auto& [key, value] : values) {
    YAML::Node node = root;
    std::size_t pos = 0;
    for (std::size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', pos)) {
      YAML::Node child = node[key.substr(pos, dot - pos)];
      node.reset(child);
      pos = dot + 1;
    }
    node[key.substr(pos)] = value;
  }
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

SweepSpec parse(const std::string& text, const std::string& file, const std::vector<std::string>& skip) {
  SweepSpec spec;
  spec.file = file;
  SweepReader reader(spec, skip);
  reader.read(load_yaml(text, file));
  spec.enumerate = read_search(spec, reader.search_values);
  spec.base_yaml = base_yaml(spec.values);
  return spec;
}

}  // namespace

const KeyTable& sweep_keys() {
  static const KeyTable table("sweep file", sweep_defs());
  return table;
}

SweepSpec load_sweep_file(const std::string& path) { return parse(read_input_file(path, "sweep file"), path, {}); }

SweepSpec load_sweep_string(const std::string& yaml, const std::string& file, const std::vector<std::string>& skip) {
  return parse(yaml, file, skip);
}

void set_sweep_value(SweepSpec& spec, const std::string& key, const std::string& value, int line) {
  SourceLocation where{spec.file, line, key};
  check_scenario_value(where, value);
  spec.values[key] = value;
  spec.lines[key] = line;
  spec.base_yaml = base_yaml(spec.values);
}

}  // namespace trainsim
