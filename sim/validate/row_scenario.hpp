// A measured run (one CSV row) as a scenario: the scenario YAML it reads as
// (an inline model card from the dimension columns, the GPU and cluster cards
// by name, the layout and training columns, the source's launch settings),
// and for each `auto` column the candidates a careful user would have tried,
// as plan-search axes (sim/search/plan_search.hpp).
//
// Column -> scenario key: layers, hidden, heads, kv_heads, ffn, vocab, mlp ->
// the inline model card (with model_family_keys); gpu -> checked against the
// cluster card's GPU; cluster (both through row_hardware()); gpus; tp, pp, dp, cp, sequence_parallel (0|1),
// vp, zero_stage -> parallel.*; seq_len, micro_batch, global_batch, precision,
// recompute -> training.*.
//
// `auto` is accepted in micro_batch (1, 2, 4, ... dividing global_batch / dp),
// vp (1 and the divisors of layers / pp when pp > 1; Megatron interleaves only
// when the micro-batch count is a multiple of pp, checked by row_scenario()),
// recompute (none, selective, full) and sequence_parallel (off, and on when
// tp > 1).
#pragma once

#include <string>
#include <vector>

#include "sim/spec/scenario.hpp"
#include "sim/load/zoo.hpp"
#include "sim/search/plan_search.hpp"
#include "sim/validate/launch_settings.hpp"
#include "sim/validate/row_hardware.hpp"
#include "sim/validate/runs_csv.hpp"

namespace trainsim {

struct RowPlan {
  std::string file;                     // "FILE.csv:LINE": the scenario's name in messages
  std::string yaml;                     // the scenario text (auto columns left at their defaults)
  std::vector<SearchAxis> axes;         // one per auto column, candidates in search order
  std::vector<LaunchSetting> launch;    // settings the source implies, less those stated (already in `yaml`)
  std::vector<LaunchSetting> settings;  // settings the row states (its `settings` column; in `yaml` after `launch`)
  RowHardware hardware;                 // the cards the row runs on (row_hardware.hpp)
  std::vector<CellReading> read_as;     // cells read as another name (hardware, mlp alias)
};

// Builds the row's plan. Throws ConfigError at the row's line and column when
// a column cannot be mapped (no card for the GPU or cluster, auto where it is
// not supported, a non-numeric dimension that auto candidates depend on, a bad
// pair or key in the settings column: stated_settings()).
RowPlan plan_row(const RunRow& row, const Zoo& zoo);

// The scenario of `plan` with the search point's settings applied: loads
// plan.yaml through the zoo, checks the GPU column against the cluster card
// and Megatron's interleaving rule. Throws ConfigError (its key is the
// scenario key; column_of() names the CSV column). An error in a value the
// settings column states is at column `settings`, its message naming the key.
Scenario row_scenario(const RunRow& row, const RowPlan& plan, const std::vector<std::string>& overrides,
                      const Zoo& zoo);

// The CSV column a scenario key comes from ("parallel.tp" -> "tp",
// "model.heads" -> "heads"); the key itself when no column maps to it.
std::string column_of(const std::string& key);

}  // namespace trainsim
