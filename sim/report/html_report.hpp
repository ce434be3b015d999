// Self-contained HTML reports (`trainsim run|sweep|validate --html FILE`): one
// file that opens offline in any browser. The page inlines Chart.js (Debian's
// libjs-chart.js, compiled in: html_assets.hpp), its own script and style
// (sim/report/html/) and the report's data as one JSON document; the script
// draws the charts and tables from that document when the page opens. No
// network, no CDN. Deterministic: the same data give byte-identical pages.
//
// The data are the documents the other outputs already write (summary.json,
// the sweep CSV and its report, validate's JSON), plus the timeline of the
// simulated GPUs that trace.json holds; the page only selects and draws.
//
// After drawing, the page writes <pre id="render-check"> (hidden): JSON
// {"kind", "charts": [{"id", "type", "datasets": [{"label", "points"}]}],
// "tables": {id: rows}, "errors": [...]} for the headless-browser test.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sim/workload/step_result.hpp"

namespace trainsim {

// `trainsim run --html`: `summary` is summary.json of `r` (step_summary_json,
// plus what the command line adds); `r` must have been simulated with
// StepOptions::record_timeline. Sections: key figures, the step-time breakdown,
// memory at the peak per pipeline stage, the memory timeline of the simulated
// GPUs, the timeline of the first pipeline stage's step, communication, layout,
// assumptions and the validated envelope.
std::string html_run_report(const StepResult& r, const nlohmann::json& summary);

// The data of the run page: {"summary", "stages": [{"pp", "rank", "label",
// "peak_bytes", "at_peak": {...}}] (per pipeline stage, the GPU with the
// highest peak), "memory": [{"rank", "label", "t_us": [], "gib": []}] (the
// trace's "HBM in use" counter of each simulated GPU), "timeline": {"rank",
// "label", "lanes", "names", "cats", "spans": [[lane, start_us, dur_us, name,
// cat]]} (the first stage's GPU: the trace's spans of that process)}.
nlohmann::json html_run_data(const StepResult& r, const nlohmann::json& summary);

// `trainsim sweep --html`: `sweep` is the document sweep_html_data
// (sim/sweep/sweep_html.hpp) builds from the sweep CSV.
std::string html_sweep_report(const nlohmann::json& sweep);

// `trainsim validate --html`: `validation` is validate's JSON report
// (sim/validate/validation_report.hpp).
std::string html_validate_report(const nlohmann::json& validation);

}  // namespace trainsim
