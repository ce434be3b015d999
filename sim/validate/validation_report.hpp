// The reports of `trainsim validate`: the JSON document (--json), the
// terminal table with the summary, and the Markdown table (--markdown).
// Deterministic: the same result gives byte-identical text.
//
// JSON: {"schema_version", "files": [{"file", "summary"}], "rows": [{"id",
// "file", "line", "family", "model", "gpus", "status" ("ok" | "failed"),
// "reason" (failed rows), "measured_step_time_s", "predicted_step_time_s",
// "error", "measured_peak_memory_gb", "predicted_peak_memory_gb",
// "analytic_peak_memory_gb", "memory_error", "fits", "measured_oom",
// "oom_agrees", "chosen" {column: value}, "candidates", "candidates_fitting",
// "predicted_tflops_per_gpu", "measured_tflops_per_gpu",
// "reported_tflops_per_gpu", "launch" [{"key", "value", "why"}] (implied by the
// source, less the keys the row states), "settings" [{"key", "value"}] (the
// row's settings column),
// "read_as" [{"column", "value", "why"}] (cells read as another name), "layout" {tp, pp, dp, cp,
// vp, sequence_parallel, zero_stage, micro_batch, global_batch, micro_batches,
// seq_len, precision, recompute}, "breakdown_s" {...}}],
// "summary": {"rows", "rows_failed", "rows_compared", "mape_step_time",
// "median_abs_error", "max_abs_error", "max_abs_error_id", "mean_error",
// "rows_over_10pct", "rows_over_20pct", "oom_agreement", "oom_rows_agreeing",
// "memory_rows", "memory_mape", "memory_max_abs_error"}}. Errors are
// fractions (predicted / measured - 1); a value that does not exist is null.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sim/validate/validation.hpp"

namespace trainsim {

nlohmann::json validation_json(const ValidationResult& v);
nlohmann::json summary_json(const ValidationSummary& s);

// The per-row table (units in the headers), the settings each row states, the
// failed rows with their reasons, and the summary, for the terminal.
std::string format_validation_text(const ValidationResult& v);

// The per-row table and the summary as Markdown.
std::string format_validation_markdown(const ValidationResult& v);

// The summary lines ("step time: MAPE 7.9%, ...").
std::string format_summary_text(const ValidationSummary& s);

}  // namespace trainsim
