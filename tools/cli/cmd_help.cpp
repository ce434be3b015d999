// `trainsim help keys`: the declared key tables.
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "sim/config/keys.hpp"

namespace trainsim::cli {
namespace {

std::string pad(const std::string& s, size_t width) {
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

void print_table(const KeyTable& table) {
  std::cout << "# " << table.kind() << " keys\n\n";
  std::cout << pad("key", 34) << pad("type", 40) << pad("default", 12) << "help\n";
  for (const KeyDef& k : table.keys()) {
    std::string def = k.required ? "(required)" : k.default_value.empty() ? "(unset)" : k.default_value;
    std::cout << pad(k.path, 34) << pad(k.describe_type().substr(0, 39), 40) << pad(def, 12) << k.help << "\n";
  }
  std::cout << "\n";
}

void print_markdown(const KeyTable& table) {
  std::cout << "## " << table.kind() << " keys\n\n| key | type | default | help |\n|---|---|---|---|\n";
  for (const KeyDef& k : table.keys()) {
    std::string def = k.required ? "required" : k.default_value.empty() ? "unset" : "`" + k.default_value + "`";
    std::cout << "| `" << k.path << "` | " << k.describe_type() << " | " << def << " | " << k.help << " |\n";
  }
  std::cout << "\n";
}

// One table as JSON: every key with its type, default, unit dimension, choices
// and bounds as the key table declares them.
nlohmann::json table_json(const KeyTable& table) {
  nlohmann::json keys = nlohmann::json::array();
  for (const KeyDef& k : table.keys()) {
    nlohmann::json j = {{"key", k.path},
                        {"type", k.describe_type()},
                        {"required", k.required},
                        {"help", k.help},
                        {"choices", k.choices}};
    j["default"] = k.default_value.empty() ? nlohmann::json(nullptr) : nlohmann::json(k.default_value);
    if (k.min) j["min"] = *k.min;
    if (k.max) j["max"] = *k.max;
    keys.push_back(std::move(j));
  }
  return {{"kind", table.kind()}, {"keys", std::move(keys)}};
}

}  // namespace

void add_help_command(CLI::App& app) {
  CLI::App* help = app.add_subcommand("help", "reference: `trainsim help keys` lists every configuration key");
  CLI::App* keys = help->add_subcommand("keys", "every key of scenario, model, GPU and cluster files");
  auto markdown = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  keys->add_flag("--markdown", *markdown, "print Markdown tables (docs/keys.md is made this way)");
  keys->add_flag("--json", *json, "print one JSON document {schema_version, tables: [{kind, keys: [...]}]}");
  help->require_subcommand(1);
  keys->callback([markdown, json] {
    if (*json) {
      nlohmann::json tables = nlohmann::json::array();
      for (const KeyTable* t : all_key_tables()) tables.push_back(table_json(*t));
      std::cout << nlohmann::json{{"schema_version", 1}, {"tables", std::move(tables)}}.dump(2) << "\n";
      return;
    }
    for (const KeyTable* t : all_key_tables()) {
      if (*markdown)
        print_markdown(*t);
      else
        print_table(*t);
    }
  });
}

}  // namespace trainsim::cli
