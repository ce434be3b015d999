// `trainsim advise`: the troubleshooter for a plan that runs out of memory or
// is slow (docs/sweep.md). Every suggestion is a plan the search simulated
// (plan_search.hpp), never a rule of thumb.
//
// Candidates are the plan with one or two of these changed (each a neighbour
// of the current value): ZeRO stage, optimizer/parameter offload, activation
// recomputation, micro-batch (the global batch is kept, so accumulation
// grows), tp (within a node), pp, vp, sequence parallelism, the ZeRO/TP
// overlap switches, and, for a plan that does not fit, a shorter sequence.
// A plan that does not fit gets the candidates that fit; a plan that fits gets
// the candidates that fit and train faster. Both are ranked by tokens per
// second (for a fixed batch shape: by step time), fewer changed keys first
// among equals. Candidates the simulator refuses (offload until the step
// simulation supports it) are listed with the reason, not ranked.
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
  std::size_t candidates = 0;  // plans evaluated besides the given one
};

struct AdviseOptions {
  int threads = 1;  // plan-search workers
  std::size_t max_suggestions = 10;
  int max_changed_keys = 2;  // 1: single changes only
};

// The single-key changes tried from `s` (exposed for tests), in a fixed order.
std::vector<std::pair<std::string, std::string>> advice_moves(const Scenario& s);

// `factory` builds the plan with overrides applied (the given plan: no overrides).
// Throws ConfigError when the given plan itself is invalid.
Advice advise(const ScenarioFactory& factory, const AdviseOptions& options = {});

}  // namespace trainsim
