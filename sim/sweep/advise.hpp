// `trainsim advise`: the troubleshooter for a plan that runs out of memory or
// is slow (docs/sweep.md). Every suggestion is a plan the search simulated
// (plan_search.hpp), never a rule of thumb.
//
// Candidates are the plan with one to four of these changed (each a
// neighbour of the current value): ZeRO stage, optimizer/parameter offload,
// activation recomputation, micro-batch (the global batch is kept, so
// accumulation grows), tp (within a node), pp, vp, sequence parallelism, the
// ZeRO/TP overlap switches, the 16-bit precision, and, for a plan that does
// not fit, a shorter sequence; only those the user's framework can run
// (advice_space). The search is a beam search: every single change, then
// from the `beam_width` best plans of n changes every plan with one more
// change (n < max_changed_keys), best meaning fitting and fastest first, then
// the closest to fitting (need / capacity of the tightest memory). It
// evaluates at most moves + (max_changed_keys - 1) x beam_width x moves
// plans, in a fixed order, on the plan search's threads: the same input
// gives the same advice whatever the thread count.
//
// A plan that does not fit gets the candidates that fit; a plan that fits gets
// the candidates that fit and train faster. Both are ranked by tokens per
// second (for a fixed batch shape: by step time), fewer changed keys first
// among equals, except that a shorter sequence (a different task) comes after
// every plan that keeps it; `by_changes` holds the best of each number of
// changes in the same order.
// Candidates the simulator refuses are listed with the reason, not ranked. A
// suggestion never fails a memory check (GPU, host or NVMe: MemoryVerdict).
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "sim/spec/scenario.hpp"
#include "sim/search/plan_search.hpp"

namespace trainsim {

struct Suggestion {
  std::vector<std::pair<std::string, std::string>> changes;  // dotted key -> value
  PlanStatus status = PlanStatus::invalid;
  bool fits = false;             // simulated and fits GPU, host and NVMe memory (PlanOutcome::fits)
  MemoryVerdict verdict;         // the parts: the simulation's, else the analytic model's (PlanOutcome::verdict)
  double peak_memory_bytes = 0;  // simulated; the analytic peak when not simulated; 0 when invalid
  double step_time_s = 0;        // simulated only
  double tokens_per_s = 0;       // simulated only
  std::string reason;            // why it was not simulated
  // The changes as edits of the user's files: ds_config edits and model
  // settings when a ds_config was read ("zero_optimization.stage: 3", "enable
  // gradient checkpointing in the model"; ds_patch.hpp), else "key=value".
  std::vector<std::string> edits;
};

// What the user's framework can run: the changes advise may propose.
struct AdviceSpace {
  std::string framework;          // e.g. "HF Trainer + DeepSpeed", "Megatron-DeepSpeed", "megatron-lm"
  bool ds_config_edits = false;   // word the suggestions as edits of the ds_config
  bool model_parallel = true;     // tp, pp, vp, sequence parallelism (Megatron-style model code)
  bool megatron_switches = true;  // selective recompute, overlap_param_gather, tp_comm_overlap
  bool precision_moves = false;   // switch between bf16 and fp16 (HF: --bf16 / --fp16)
};

// The one place the framework's search space is decided, from framework.name
// as resolved (Scenario::framework: a ds_config means deepspeed). DeepSpeed
// and the HF Trainer run Hugging Face model code, which has no tensor or
// pipeline parallel layers: no TP/PP, sequence parallelism or Megatron-only
// switches, unless the model comes from Megatron-LM flags (Megatron-DeepSpeed).
// The Megatron family, NeMo and torchtitan get the full space.
AdviceSpace advice_space(const Scenario& s);

// The fastest fitting plan with a given number of changed keys.
struct ChangeLevel {
  int changed_keys = 0;
  std::size_t evaluated = 0;  // plans of this many changes evaluated
  bool found = false;
  Suggestion best;  // when found
};

struct Advice {
  // False when the step simulator refuses the plan as given (e.g. offload):
  // then `reason` says why, fits and peak_memory_bytes are the analytic
  // model's, and the times are 0 (every fitting candidate counts as faster).
  bool simulated = true;
  std::string reason;
  bool fits = false;             // verdict.fits(): GPU, host and NVMe memory
  MemoryVerdict verdict;         // of the plan as given (the analytic model's when not simulated)
  std::string shortfall;         // memory_shortfall of the plan as given; "" when it fits
  double peak_memory_bytes = 0;  // simulated peak of the plan as given
  double gpu_memory_bytes = 0;
  double step_time_s = 0;
  double tokens_per_s = 0;
  // The plan's memory at its peak, largest term first ("activations", "optimizer_states", ...).
  std::vector<std::pair<std::string, double>> memory_terms;
  std::vector<Suggestion> suggestions;  // ranked, at most AdviseOptions::max_suggestions
  // For a plan that does not fit: offload plans whose analytic memory fits but that the step simulator
  // refused (until it simulates offload), with its reason; fewest changes first.
  std::vector<Suggestion> not_simulated;
  std::size_t candidates = 0;           // plans evaluated besides the given one
  std::vector<ChangeLevel> by_changes;  // one per number of changes, 1..max_changed_keys
  AdviceSpace space;
  int beam_width = 0;
};

struct AdviseOptions {
  int threads = 1;  // plan-search workers
  std::size_t max_suggestions = 10;
  int max_changed_keys = 4;    // 1: single changes only
  std::size_t beam_width = 8;  // plans of n changes extended to n + 1
};

// The single-key changes tried from `s` within advice_space(s) (exposed for tests), in a fixed order.
std::vector<std::pair<std::string, std::string>> advice_moves(const Scenario& s);

// `factory` builds the plan with overrides applied (the given plan: no overrides).
// Throws ConfigError when the given plan itself is invalid.
Advice advise(const ScenarioFactory& factory, const AdviseOptions& options = {});

}  // namespace trainsim
