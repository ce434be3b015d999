// Formatting shared by the reports (memory_report, step_report, chrome_trace):
// plain-text tables, byte counts, GiB figures, rank labels and the layout
// object of summary.json. Private to sim/report.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/spec/run_assumptions.hpp"
#include "sim/memory/model_states.hpp"
#include "sim/spec/scenario.hpp"
#include "sim/parallel/layout.hpp"

namespace trainsim {

// Each column padded to its widest cell, the first left-aligned, the others
// right-aligned, two spaces between columns, one line per row.
std::string render_text_table(const std::vector<std::vector<std::string>>& rows);

// Bytes as a whole number (summary.json and per_gpu.csv write integers).
std::int64_t whole_bytes(double bytes);

// Bytes in GiB (2^30) with two decimals, e.g. "79.35".
std::string gib_text(double bytes);

// "node 3, dp 1 pp 0 tp 2 cp 0"
std::string rank_label(int node, const RankCoord& c);

// summary.json "layout": the resolved parallel layout and training shape, the
// same object for `trainsim mem` and `trainsim run`.
nlohmann::json layout_json(const ParallelPlan& p, const TrainingPlan& t, int micro_batches, int gpus, int nodes,
                           MemoryConvention convention);

// summary.json "assumptions": {card: [{key, value, from: "card"|"default"}],
// import: [lines]}, the same object for `trainsim mem` and `trainsim run`.
nlohmann::json assumptions_json(const RunAssumptions& a);

// "assumptions this result depends on:" and one indented line each, or ""
// when there are none; `cluster` names the card in the lines.
std::string assumptions_text(const RunAssumptions& a, const std::string& cluster);

// "memory convention: deepspeed (from ds_config F): model states 16 B/param
// unsharded (params 2 + grads 2 + optimizer 12); this plan per parameter: GPU
// 4.25 B, host 12.5 B" (one line, newline-terminated).
std::string convention_text(const ConventionStatement& c);

// {"name", "source", "from", "bytes_per_param": {"params", "grads",
// "optimizer", "total"} unsharded, "bytes_per_param_this_plan": {"gpu", "host", "nvme"}}.
nlohmann::json convention_json(const ConventionStatement& c);

}  // namespace trainsim
