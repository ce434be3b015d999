// Private to the Megatron importer: the parsed flag list and its typed access.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/error.hpp"

namespace trainsim {

struct MegatronFlags {
  std::map<std::string, std::string> values;  // flag -> value ("" for a boolean flag)
  SourceLocation where;                       // the flag string's origin

  bool has(const std::string& flag) const { return values.count(flag) > 0; }
  [[noreturn]] void fail(const std::string& flag, const std::string& message) const;
  // An integer >= min and <= the flag's limit (trainsim's limit for the scenario
  // or model key it becomes, docs/limits.md); else ConfigError naming both.
  std::optional<long long> integer(const std::string& flag, long long min = 1) const;
  std::optional<double> number(const std::string& flag) const;
  std::optional<std::string> text(const std::string& flag) const;
  SourceLocation at(const std::string& flag) const { return {where.file, where.line, flag}; }
};

struct MegatronResult;
struct ModelSpec;
// Partial recomputation, dropout, FP8 recipe and CUDA graphs (megatron_knobs.cpp).
void read_megatron_knobs(const MegatronFlags& f, MegatronResult& r);

// The MoE flags (megatron_moe.cpp): name, boolean, and the largest integer value (0: not an integer).
struct MegatronMoeFlag {
  const char* name;
  bool boolean;
  double max;
};
const std::vector<MegatronMoeFlag>& megatron_moe_flags();
// --expert-*-parallel-size, --moe-grouped-gemm, --moe-token-dispatcher-type -> scenario keys.
void read_megatron_moe(const MegatronFlags& f, MegatronResult& r);
// --num-experts and the expert shape onto a model built from the flags (after its FFN size).
void megatron_moe_model(const MegatronFlags& f, ModelSpec& m);
// With a model card in the scenario: the MoE flags must agree with it.
void check_megatron_moe_against(const MegatronFlags& f, const ModelSpec& base, const SourceLocation& base_where);

}  // namespace trainsim
