#include "sim/sweep/advise.hpp"

#include "sim/spec/enum_names.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/import/deepspeed/ds_patch.hpp"
#include "sim/spec/input_file.hpp"
#include "sim/sweep/advise_search.hpp"

namespace trainsim {
namespace {

using Move = std::pair<std::string, std::string>;

std::string str(int v) { return std::to_string(v); }

void parallel_moves(const Scenario& s, const AdviceSpace& space, std::vector<Move>& m) {
  const ParallelPlan& p = s.parallel;
  for (int z = 0; z <= 3; ++z)
    if (z != p.zero_stage) m.emplace_back("parallel.zero_stage", str(z));
  if (!space.model_parallel) return;
  for (int tp = 1; tp <= s.cluster.node.gpus; tp *= 2)  // TP inside a node (SC21 §5.4)
    if (tp != p.tp) m.emplace_back("parallel.tp", str(tp));
  for (int pp : {p.pp * 2, p.pp * 4, p.pp / 2, 1})
    if (pp >= 1 && pp != p.pp && pp <= s.model.layers) m.emplace_back("parallel.pp", str(pp));
  if (p.pp > 1) m.emplace_back("parallel.vp", str(p.vp * 2));
  if (p.vp > 1) m.emplace_back("parallel.vp", str(p.vp / 2));
  if (p.tp > 1 || p.sequence_parallel)
    m.emplace_back("parallel.sequence_parallel", p.sequence_parallel ? "false" : "true");
}

void training_moves(const Scenario& s, const AdviceSpace& space, bool fits, std::vector<Move>& m) {
  const TrainingPlan& t = s.training;
  for (const char* r : {"none", "selective", "full"})  // the HF Trainer checkpoints whole layers: no selective
    if (r != std::string(to_string(t.recompute)) && (space.megatron_switches || r != std::string("selective")))
      m.emplace_back("training.recompute", r);
  for (int mb = t.micro_batch / 2; mb >= 1; mb /= 2) m.emplace_back("training.micro_batch", str(mb));
  m.emplace_back("training.micro_batch", str(t.micro_batch * 2));
  if (space.megatron_switches && !t.overlap.param_gather && (s.parallel.zero_stage == 1 || s.parallel.zero_stage == 2))
    m.emplace_back("training.overlap_param_gather", "true");
  if (space.megatron_switches && !t.overlap.tp_comm && s.parallel.tp > 1)
    m.emplace_back("training.tp_comm_overlap", "true");
  if (space.precision_moves && t.precision != Precision::bf16 && s.cluster.node.gpu.peak_bf16.value() > 0)
    m.emplace_back("training.precision", "bf16");  // HF: --bf16 (and no --fp16)
  if (space.precision_moves && t.precision == Precision::fp32) m.emplace_back("training.precision", "fp16");
  if (!fits && t.seq_len >= 256) m.emplace_back("training.seq_len", str(t.seq_len / 2));
  const OffloadPlan& o = s.offload;
  for (const char* d : {"none", "cpu", "nvme"}) {
    if (d != std::string(to_string(o.optimizer))) m.emplace_back("offload.optimizer", d);
    if (d != std::string(to_string(o.params)) && d != std::string("nvme")) m.emplace_back("offload.params", d);
  }
}

Suggestion suggestion_of(const PlanOutcome& o) {
  Suggestion s;
  s.changes = o.point.settings;
  s.status = o.status;
  s.fits = o.fits();
  s.verdict = o.verdict();
  s.peak_memory_bytes = o.status == PlanStatus::simulated ? o.result.peak_memory_bytes.value() : o.analytic_peak_bytes;
  if (o.status == PlanStatus::invalid && !o.built) s.peak_memory_bytes = 0;
  s.step_time_s = o.result.step_time_s.value();
  s.tokens_per_s = o.result.tokens_per_s;
  s.reason = o.status == PlanStatus::invalid ? o.reason_key + ": " + o.reason : "";
  return s;
}

std::vector<std::pair<std::string, double>> memory_terms(const MemoryBreakdown& b) {
  std::vector<std::pair<std::string, double>> t = {{"params", b.params.value()},
                                                   {"grads", b.grads.value()},
                                                   {"optimizer_states", b.optimizer_states.value()},
                                                   {"activations", b.activations.value()},
                                                   {"comm_buffers", b.comm_buffers.value()},
                                                   {"other", b.other.value()}};
  std::stable_sort(t.begin(), t.end(), [](const auto& a, const auto& b2) { return a.second > b2.second; });
  return t;
}

bool offload_change(const Suggestion& s) {
  return std::any_of(s.changes.begin(), s.changes.end(),
                     [](const Move& m) { return m.first.rfind("offload.", 0) == 0; });
}

// True when `b` changes what `a` changes and more, to the same effect (a no-op extra key).
bool redundant(const Suggestion& b, const Suggestion& a) {
  if (b.step_time_s != a.step_time_s || b.peak_memory_bytes != a.peak_memory_bytes) return false;
  return std::all_of(a.changes.begin(), a.changes.end(), [&](const Move& m) {
    return std::find(b.changes.begin(), b.changes.end(), m) != b.changes.end();
  });
}

void drop_redundant(std::vector<Suggestion>& list) {
  std::vector<Suggestion> kept;
  for (auto& s : list)
    if (std::none_of(kept.begin(), kept.end(), [&](const Suggestion& k) { return redundant(s, k); }))
      kept.push_back(std::move(s));
  list = std::move(kept);
}

// A shorter sequence trains a different task: such a plan is a last resort,
// ranked after every plan that keeps the sequence length.
bool keeps_task(const Suggestion& s) {
  return std::none_of(s.changes.begin(), s.changes.end(), [](const auto& c) { return c.first == "training.seq_len"; });
}

// x before y: the task kept first, then faster, then fewer changes.
bool ranks_before(const Suggestion& x, const Suggestion& y) {
  if (keeps_task(x) != keeps_task(y)) return keeps_task(x);
  if (x.tokens_per_s != y.tokens_per_s) return x.tokens_per_s > y.tokens_per_s;
  return x.changes.size() < y.changes.size();
}

void rank(Advice& a, const std::vector<Suggestion>& all, const std::vector<PlanOutcome>& outcomes, std::size_t max) {
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const PlanOutcome& o = outcomes[i];
    const Suggestion& s = all[i];
    if (s.fits && (!a.fits || s.tokens_per_s > a.tokens_per_s))
      a.suggestions.push_back(s);
    else if (!a.fits && o.status == PlanStatus::invalid && o.built && offload_change(s) && o.analytic_verdict.fits())
      a.not_simulated.push_back(s);  // the simulator refused a plan whose memory fits
  }
  std::stable_sort(a.suggestions.begin(), a.suggestions.end(), ranks_before);
  drop_redundant(a.suggestions);
  if (a.suggestions.size() > max) a.suggestions.resize(max);
  std::stable_sort(a.not_simulated.begin(), a.not_simulated.end(),
                   [](const Suggestion& x, const Suggestion& y) { return x.changes.size() < y.changes.size(); });
  if (a.not_simulated.size() > max) a.not_simulated.resize(max);
}

// The changes of `s` as edits of the user's files (advise.hpp, ds_patch.hpp).
std::vector<std::string> edits_of(const Scenario& base, const AdviceSpace& space, const PlanOutcome& o,
                                  const std::string& original) {
  std::vector<std::string> out;
  if (!space.ds_config_edits || !o.built) {
    for (const Move& m : o.point.settings) out.push_back(m.first + "=" + m.second);
    return out;
  }
  std::map<std::string, std::string> pointers;
  for (const ImportedSetting& i : base.imports.applied)
    if (i.where.file == base.imports.ds_config_file) pointers.emplace(i.key, i.where.key);
  DsBatch batch{o.training.global_batch, o.training.micro_batch, o.parallel.dp};
  return patch_ds_config(base.imports.resolved_ds_config, o.point.settings, batch, pointers, original).edits;
}

// The fastest fitting plan of each number of changes (for a plan that fits:
// faster than it), leaving out a plan that only adds a no-op change to one with fewer.
void best_by_changes(Advice& a, const std::vector<Suggestion>& all, const std::vector<std::size_t>& evaluated,
                     int max_keys) {
  for (int k = 1; k <= max_keys; ++k) {
    ChangeLevel level;
    level.changed_keys = k;
    level.evaluated = static_cast<std::size_t>(k) <= evaluated.size() ? evaluated[k - 1] : 0;
    for (const Suggestion& s : all) {
      if (static_cast<int>(s.changes.size()) != k || !s.fits || (a.fits && s.tokens_per_s <= a.tokens_per_s)) continue;
      bool noop = std::any_of(all.begin(), all.end(), [&](const Suggestion& f) {
        return f.fits && f.changes.size() < s.changes.size() && redundant(s, f);
      });
      if (!noop && (!level.found || ranks_before(s, level.best))) level.found = true, level.best = s;
    }
    a.by_changes.push_back(std::move(level));
  }
}

// The plan as given: simulated, or its analytic memory when the simulator refuses it.
void given_plan(Advice& a, const PlanOutcome& b) {
  a.fits = b.fits();
  a.verdict = b.verdict();
  a.shortfall = b.status == PlanStatus::simulated ? memory_shortfall(b.result.memory_needs()) : "";
  a.peak_memory_bytes = b.result.peak_memory_bytes.value();
  a.gpu_memory_bytes = b.gpu_memory_bytes;
  a.step_time_s = b.result.step_time_s.value();
  a.tokens_per_s = b.result.tokens_per_s;
  a.memory_terms = memory_terms(b.status == PlanStatus::simulated ? b.result.memory_at_peak : b.analytic_at_peak);
  if (b.status == PlanStatus::invalid) {  // a plan the simulator refuses (offload): its analytic memory
    a.simulated = false;
    a.reason = b.reason_key + ": " + b.reason;
    a.peak_memory_bytes = b.analytic_peak_bytes;
    a.fits = b.analytic_verdict.fits();
    a.shortfall = memory_shortfall(b.analytic_needs);
  }
}

}  // namespace

AdviceSpace advice_space(const Scenario& s) {
  AdviceSpace space;
  const bool ds_config = !s.imports.ds_config_file.empty();
  const bool megatron_model = s.imports.model_from_megatron || s.imports.megatron_flags;
  const bool hf_code = s.framework == Framework::deepspeed || s.framework == Framework::hf_trainer;
  space.ds_config_edits = ds_config;
  if (!hf_code || megatron_model) {
    space.framework = megatron_model && ds_config ? "Megatron-DeepSpeed" : enum_name(s.framework);
    return space;
  }
  space.framework = ds_config ? "HF Trainer + DeepSpeed" : enum_name(s.framework);
  space.model_parallel = false;     // HF models have no tensor or pipeline parallel code
  space.megatron_switches = false;  // Megatron-LM's switches; gradient checkpointing is whole layers
  space.precision_moves = true;
  return space;
}

std::vector<Move> advice_moves(const Scenario& s) {
  const AdviceSpace space = advice_space(s);
  std::vector<Move> m;
  parallel_moves(s, space, m);
  training_moves(s, space, compute_memory(s).fits(), m);
  return m;
}

Advice advise(const ScenarioFactory& factory, const AdviseOptions& options) {
  Scenario base = factory({});
  SearchOptions given;
  given.prune_oom = false;  // the plan as given is simulated even when it does not fit
  Advice a;
  given_plan(a, evaluate_plans(factory, {PlanPoint{}}, given).front());
  a.space = advice_space(base);
  a.beam_width = static_cast<int>(options.beam_width);
  AdviceSearch found = search_changes(factory, advice_moves(base), options);
  a.candidates = found.outcomes.size();
  std::ostringstream original;  // the user's file: which keys say "auto"
  if (!base.imports.ds_config_file.empty())
    original << read_input_file(base.imports.ds_config_file, "DeepSpeed config file (deepspeed_config / --ds-config)");
  std::vector<Suggestion> all;
  for (const PlanOutcome& o : found.outcomes) {
    all.push_back(suggestion_of(o));
    all.back().edits = edits_of(base, a.space, o, original.str());
  }
  best_by_changes(a, all, found.evaluated, options.max_changed_keys);
  rank(a, all, found.outcomes, options.max_suggestions);
  return a;
}

}  // namespace trainsim
