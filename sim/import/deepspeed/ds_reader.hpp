// Private to the DeepSpeed importer (ds_config*.cpp): typed access to a parsed
// ds_config.json by JSON pointer, with errors at file:line:pointer, and the
// result being built (settings, ignored keys, warnings, the resolved JSON).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "sim/import/deepspeed/ds_config.hpp"
#include "sim/config/json_lines.hpp"

namespace trainsim::ds {

using json = nlohmann::json;

class Reader {
 public:
  Reader(json root, const std::string& text, std::string file, const DsContext& ctx);

  const DsContext& ctx() const { return ctx_; }
  const std::string& file() const { return file_; }
  DsConfigResult& out() { return out_; }
  json& resolved() { return resolved_; }
  std::optional<int> pp_from_pipeline;  // pipeline.stages, read before the batch rule

  SourceLocation at(const std::string& pointer) const;
  [[noreturn]] void fail(const std::string& pointer, const std::string& message) const;

  bool has(const std::string& pointer) const;
  bool is_auto(const std::string& pointer) const;
  // The object at `pointer` (absent: nullopt); checks every key against
  // ds_known_keys(section) and reports the known ones outside `modelled` as
  // ignored.
  bool section(const std::string& pointer, const std::string& section, const std::vector<std::string>& modelled,
               const std::string& why = "no effect on step time or memory");
  // Typed values; nullopt when absent (or "auto" where allowed by the caller's check).
  // An integer >= min and <= max (max: trainsim's limit for the scenario key it
  // becomes, docs/limits.md; the message names it).
  std::optional<long long> integer(const std::string& pointer, long long min = 0, double max = 9e18) const;
  std::optional<double> number(const std::string& pointer) const;
  std::optional<bool> boolean(const std::string& pointer) const;
  std::optional<std::string> string(const std::string& pointer) const;

  void set(const std::string& key, const std::string& value, const std::string& pointer, const std::string& note = "");
  void set_default(const std::string& key, const std::string& value, const std::string& pointer,
                   const std::string& note);
  void ignore(const std::string& pointer, const std::string& why = "no effect on step time or memory");
  void warn(const std::string& message) { out_.warnings.push_back(message); }
  void resolve(const std::string& pointer, const json& value) { resolved_[json::json_pointer(pointer)] = value; }
  // An "auto" resolved: written into the resolved JSON and said in the log
  // ("ds_config train_micro_batch_size_per_gpu: auto -> 8 (why)").
  void resolve_auto(const std::string& pointer, const json& value, const std::string& why);

 private:
  const json& get(const std::string& pointer) const;

  json root_;
  json resolved_;
  JsonLines lines_;
  std::string file_;
  const DsContext& ctx_;
  DsConfigResult out_;
};

// Dotted form of a pointer for messages: "/zero_optimization/stage" -> "zero_optimization.stage".
std::string dotted(const std::string& pointer);

void read_batch(Reader& r);
void read_precision(Reader& r);
void read_clipping(Reader& r);
void read_optimizer(Reader& r);
void read_pipeline(Reader& r);
void read_zero(Reader& r);
void read_aio(Reader& r);

}  // namespace trainsim::ds
