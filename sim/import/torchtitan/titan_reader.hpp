// Private to the torchtitan importer (titan_*.cpp): typed access to a parsed
// job TOML by dotted key, with errors at file:line:key, and the result being
// built (settings, ignored keys, warnings).
#pragma once

#include <optional>
#include <string>
#include <toml++/toml.h>
#include <vector>

#include "sim/import/torchtitan/titan_config.hpp"

namespace trainsim::titan {

class Reader {
 public:
  Reader(const std::string& text, std::string file, const TitanContext& ctx);

  const TitanContext& ctx() const { return ctx_; }
  ImportResult& out() { return out_; }

  // file, line of the key (of its table when the key is absent), dotted key.
  SourceLocation at(const std::string& key) const;
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

  bool has(const std::string& key) const { return node(key) != nullptr; }
  // Checks every section against titan_known_keys and lists the sections
  // that do not change step time or memory as ignored, once each.
  void check_sections();
  // Checks the keys of table `section` ("parallelism", "quantize.linear.float8")
  // and lists the known ones outside `modelled` as ignored.
  void section(const std::string& section, const std::vector<std::string>& modelled,
               const std::string& why = "no effect on step time or memory");
  std::optional<long long> integer(const std::string& key, long long min, double max) const;
  std::optional<double> number(const std::string& key) const;
  std::optional<bool> boolean(const std::string& key) const;
  std::optional<std::string> string(const std::string& key) const;
  std::vector<std::string> strings(const std::string& key) const;  // an array of strings (absent: empty)
  // A string or an integer, as text (selective_ac_option = "op" or 2).
  std::optional<std::string> scalar_text(const std::string& key) const;

  void set(const std::string& key, const std::string& value, const std::string& from, const std::string& note = "");
  void set_default(const std::string& key, const std::string& value, const std::string& from, const std::string& note);
  void warn(const std::string& message) { out_.warnings.push_back(message); }
  void assume(const std::string& message) { out_.assumptions.push_back(message); }

 private:
  const toml::node* node(const std::string& key) const;
  void ignore(const std::string& key, const std::string& why);

  toml::table root_;
  std::string file_;
  const TitanContext& ctx_;
  ImportResult out_;
};

// The known keys of a section ("" = the top level's tables); empty for an
// unknown section.
const std::vector<std::string>& titan_known_keys(const std::string& section);
// Sections whose keys are all without effect on step time or memory.
bool titan_ignored_section(const std::string& section);

// The layout [parallelism] gives, for the batch keys.
struct Layout {
  long long dp = 1, pp = 1, vp = 1;
};
Layout read_parallelism(Reader& r);
void read_batch(Reader& r, const Layout& layout);

}  // namespace trainsim::titan
