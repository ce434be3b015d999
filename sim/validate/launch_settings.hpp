// What a measured run's source implies that the runs CSV has no column for:
// the launch settings of the framework that produced it (FlashAttention or
// not, gradient reduction overlapped with the backward or after it, how
// DeepSpeed counts model states, how the pipeline splits layers) and the
// architecture family of its model (learned positions or RoPE, LayerNorm or
// RMSNorm, tied embeddings, biases, dropout).
//
// These are row data — read from the `source`, `notes`, `model` and `mlp`
// columns by the rules in launch_settings.cpp, each citing where it comes
// from — never a factor fitted per row.
#pragma once

#include <string>
#include <vector>

#include "sim/validate/runs_csv.hpp"

namespace trainsim {

// The source family of a row: "sc21" (Megatron-LM SC21 Table 1), "bloom"
// (BigScience tr11 on Jean Zay, Megatron-DeepSpeed), "nemo" (NVIDIA NeMo
// performance summary), "vtrain" (vTrain's Megatron-DeepSpeed measurements),
// or "other" (the scenario keys' defaults, but FlashAttention as the notes
// say, else off for a source dated 2022 or before).
std::string source_family(const RunRow& row);

// One scenario setting implied by the row's source, with the reason.
struct LaunchSetting {
  std::string key;    // dotted scenario key, e.g. "training.flash_attention"
  std::string value;  // as `--set` takes it
  std::string why;    // the rule and its citation
};

// The row's launch settings, in a fixed order (one per key at most).
std::vector<LaunchSetting> launch_settings(const RunRow& row);

// The launch the row states itself: its optional `settings` column, pairs
// `dotted.key=value` separated by ';' (e.g.
// "framework.name=torchtitan;training.compile=true"), the scenario's own keys
// as `--set` takes them. Spaces around keys and values are dropped; an empty
// cell (or no column) states nothing. They apply over launch_settings(): a
// stated key replaces the source's default of the same key. Throws ConfigError
// at the row's line, column `settings`, naming the key: a pair without '=' or
// key, a key stated twice, a key that is not a scenario key (with the nearest
// one), a section instead of a key. Values are checked when the row's scenario
// is loaded (row_scenario.hpp), with the loader's own messages.
std::vector<LaunchSetting> stated_settings(const RunRow& row);

// `defaults` without the keys `stated` sets: the source's settings still in effect.
std::vector<LaunchSetting> unstated(const std::vector<LaunchSetting>& defaults,
                                    const std::vector<LaunchSetting>& stated);

// The mlp column as a model-card value (gelu, relu, swiglu): the cell in lower
// case, with the names sources also use read as the kind of the same cost —
// squared ReLU (relu2, squared_relu) as relu, gated MLPs of three matrices
// (geglu, reglu, gated_gelu) as swiglu, tanh GELU (gelu_new, gelu_tanh) as gelu.
std::string row_mlp(const RunRow& row);

// Model-card keys the row's architecture family implies beyond its dimension
// columns: (key, value) in card order. Optional CSV columns of the same names
// (position, norm, tied_embeddings, bias, dropout, embedding_norm,
// max_position, head_dim) override them.
std::vector<std::pair<std::string, std::string>> model_family_keys(const RunRow& row);

}  // namespace trainsim
