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

}  // namespace

void add_help_command(CLI::App& app) {
  CLI::App* help = app.add_subcommand("help", "reference: `trainsim help keys` lists every configuration key");
  CLI::App* keys = help->add_subcommand("keys", "every key of scenario, model, GPU and cluster files");
  auto markdown = std::make_shared<bool>(false);
  keys->add_flag("--markdown", *markdown, "print Markdown tables (docs/keys.md is made this way)");
  help->require_subcommand(1);
  keys->callback([markdown] {
    for (const KeyTable* t : all_key_tables()) {
      if (*markdown)
        print_markdown(*t);
      else
        print_table(*t);
    }
  });
}

}  // namespace trainsim::cli
