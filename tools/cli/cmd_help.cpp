// `trainsim help keys`: the declared key tables; `trainsim help frameworks`: the framework profiles.
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "sim/config/keys.hpp"
#include "sim/spec/framework_profile.hpp"

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
    // A type longer than its column is printed whole, pushing the rest of its row right (never cut).
    std::cout << pad(k.path, 34) << pad(k.describe_type(), 40) << pad(def, 12) << k.help << "\n";
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

const char* when_text(ProfileWhen w) {
  switch (w) {
    case ProfileWhen::with_pp: return " (with pp > 1)";
    case ProfileWhen::without_pp: return " (with pp = 1)";
    default: return "";
  }
}

std::string rule_text(const PipelineRule& r) {
  if (!r.pipeline) return std::string("no pipeline parallelism: ") + r.reason;
  if (r.max_zero_with_pp >= 3) return "ZeRO-0..3 / FSDP with pp > 1";
  return "ZeRO <= " + std::to_string(r.max_zero_with_pp) + " with pp > 1: " + r.reason;
}

// The profile table (sim/spec/framework_profiles.cpp); docs/frameworks.md is its Markdown.
void print_frameworks(bool markdown) {
  for (const FrameworkProfile& p : framework_profiles()) {
    const std::string label = profile_label(p);
    if (markdown) {
      std::cout << "## " << label << "\n\n- sharding x pipeline: " << rule_text(p.rule) << "\n";
      for (const ProfileDefault& d : p.defaults)
        std::cout << "- `" << d.key << ": " << d.value << "`" << when_text(d.when) << ": " << d.what << " (`"
                  << d.source << "`)\n";
      if (p.defaults.empty()) std::cout << "- defaults: none beyond the key table's\n";
      if (*p.notes) std::cout << "- notes: " << p.notes << "\n";
      std::cout << "\n";
      continue;
    }
    std::cout << label << "\n  sharding x pipeline: " << rule_text(p.rule) << "\n";
    for (const ProfileDefault& d : p.defaults)
      std::cout << "  " << d.key << " = " << d.value << when_text(d.when) << ": " << d.what << " (" << d.source
                << ")\n";
    if (*p.notes) std::cout << "  notes: " << p.notes << "\n";
  }
}

}  // namespace

void add_help_command(CLI::App& app) {
  CLI::App* help = app.add_subcommand("help", "reference: `trainsim help keys` lists every configuration key");
  CLI::App* keys = help->add_subcommand("keys", "every key of scenario, model, GPU and cluster files");
  auto markdown = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  keys->add_flag("--markdown", *markdown, "print Markdown tables (docs/keys.md is made this way)");
  keys->add_flag("--json", *json, "print one JSON document {schema_version, tables: [{kind, keys: [...]}]}");
  CLI::App* frameworks =
      help->add_subcommand("frameworks",
                           "the framework profiles: each framework.name / framework.version range, its sharding x "
                           "pipeline rule and the defaults its launches use");
  auto fw_markdown = std::make_shared<bool>(false);
  frameworks->add_flag("--markdown", *fw_markdown, "print Markdown (docs/frameworks.md is made this way)");
  frameworks->callback([fw_markdown] { print_frameworks(*fw_markdown); });
  help->require_subcommand(1);
  keys->callback([markdown, json] {
    if (*json) {
      nlohmann::json tables = nlohmann::json::array();
      for (const KeyTable* t : all_key_tables()) tables.push_back(table_json(*t));
      std::cout << json_text(nlohmann::json{{"schema_version", 1}, {"tables", std::move(tables)}}) << "\n";
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
