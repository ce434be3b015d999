// `trainsim help keys`: the declared key tables, and the subcommands of later work.
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
      if (*markdown) print_markdown(*t);
      else print_table(*t);
    }
  });
}

void add_later_commands(CLI::App& app) {
  struct Later {
    const char* name;
    const char* what;
  };
  static constexpr Later later[] = {
      {"validate", "predictions against published training runs"},
  };
  for (const Later& l : later) {
    CLI::App* cmd = app.add_subcommand(l.name, std::string(l.what) + " [not available in this version]");
    cmd->allow_extras();
    std::string name = l.name;
    cmd->callback([name] {
      throw UsageError("`trainsim " + name + "` is not available in this version; available now: "
                       "`trainsim run`, `trainsim mem`, `trainsim sweep`, `trainsim advise`, `trainsim explain zero`, `trainsim collective`, `trainsim help keys`");
    });
  }
}

}  // namespace trainsim::cli
