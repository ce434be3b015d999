#include "sim/report/memory_report.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

#include "sim/core/format.hpp"
#include "sim/report/report_format.hpp"

namespace trainsim {
namespace {

std::int64_t whole(Bytes b) { return whole_bytes(b.value()); }
std::string gib(Bytes b) { return gib_text(b.value()); }

std::string millions(std::int64_t n) { return fixed(static_cast<double>(n) / 1e6, 1); }

std::string layout_line(const Scenario& s) {
  const ParallelPlan& p = s.parallel;
  const TrainingPlan& t = s.training;
  std::ostringstream o;
  o << s.model.name << " on " << s.gpus << " x " << s.cluster.node.gpu.name << " (" << s.nodes << " node"
    << (s.nodes == 1 ? "" : "s") << "): tp " << p.tp << ", pp " << p.pp << ", dp " << p.dp << ", cp " << p.cp << ", vp "
    << p.vp << (p.sequence_parallel ? ", sequence parallel" : "") << ", ZeRO " << p.zero_stage << ", "
    << to_string(p.schedule) << ", micro-batch " << t.micro_batch << " x " << s.num_micro_batches() << " (global "
    << t.global_batch << "), seq " << t.seq_len << ", " << to_string(t.precision) << ", recompute "
    << to_string(t.recompute) << ", " << to_string(s.memory.convention) << " accounting";
  return o.str();
}

std::vector<std::string> row_cells(const StageMemory& st) {
  const MemoryBreakdown& b = st.peak;
  return {
      std::to_string(st.layers), millions(st.params_resident), gib(b.params), gib(b.grads),  gib(b.optimizer_states),
      gib(b.activations),        gib(b.comm_buffers),          gib(b.other),  gib(b.total())};
}

std::string stage_label(const StageMemory& first, const StageMemory& last) {
  std::string label = std::to_string(first.stage);
  if (last.stage != first.stage) label += "-" + std::to_string(last.stage);
  if (first.peak_phase == MemoryPhase::step) label += " *";
  return label;
}

// Rows of the table: consecutive stages with identical cells and phase merge.
std::vector<std::vector<std::string>> stage_rows(const MemoryResult& r) {
  std::vector<std::vector<std::string>> rows;
  size_t i = 0;
  while (i < r.stages.size()) {
    size_t j = i;
    std::vector<std::string> cells = row_cells(r.stages[i]);
    while (j + 1 < r.stages.size() && row_cells(r.stages[j + 1]) == cells &&
           r.stages[j + 1].peak_phase == r.stages[i].peak_phase)
      ++j;
    cells.insert(cells.begin(), stage_label(r.stages[i], r.stages[j]));
    rows.push_back(cells);
    i = j + 1;
  }
  return rows;
}

nlohmann::json breakdown_json(const MemoryBreakdown& b) {
  return {{"params", whole(b.params)},
          {"grads", whole(b.grads)},
          {"optimizer_states", whole(b.optimizer_states)},
          {"activations", whole(b.activations)},
          {"comm_buffers", whole(b.comm_buffers)},
          {"other", whole(b.other)}};
}

// The largest term of the breakdown at the peak (first of equals, in breakdown order).
std::pair<std::string, Bytes> largest_term(const MemoryBreakdown& b) {
  const std::pair<const char*, Bytes> terms[] = {{"params", b.params},
                                                 {"grads", b.grads},
                                                 {"optimizer_states", b.optimizer_states},
                                                 {"activations", b.activations},
                                                 {"comm_buffers", b.comm_buffers},
                                                 {"other", b.other}};
  std::pair<std::string, Bytes> best = {terms[0].first, terms[0].second};
  for (const auto& [name, bytes] : terms)
    if (bytes.value() > best.second.value()) best = {name, bytes};
  return best;
}

nlohmann::json stage_json(const StageMemory& st) {
  return {{"stage", st.stage},
          {"layers", st.layers},
          {"embedding", st.has_embedding},
          {"output", st.has_output},
          {"params", st.params},
          {"params_resident", st.params_resident},
          {"in_flight_micro_batches", st.in_flight},
          {"peak_phase", to_string(st.peak_phase)},
          {"memory_bytes", breakdown_json(st.peak)},
          {"total_bytes", whole(st.peak.total())},
          {"host_offload_bytes", whole(st.host_offload)},
          {"nvme_offload_bytes", whole(st.nvme_offload)}};
}

}  // namespace

std::string memory_table(const Scenario& s, const MemoryResult& r) {
  std::vector<std::vector<std::string>> rows = {{"stage", "layers", "params/GPU [M]", "params [GiB]", "grads [GiB]",
                                                 "optimizer [GiB]", "activations [GiB]", "comm buffers [GiB]",
                                                 "other [GiB]", "total [GiB]"}};
  for (auto& row : stage_rows(r)) rows.push_back(std::move(row));
  std::ostringstream o;
  o << layout_line(s) << "\n" << convention_text(state_convention(s)) << "\n" << render_text_table(rows);
  bool any_step = false;
  for (const StageMemory& st : r.stages) any_step = any_step || st.peak_phase == MemoryPhase::step;
  if (any_step) o << "* peaks during gradient reduction / optimizer step (activations freed)\n";
  o << "\nmax over GPUs:  " << gib(r.peak) << " GiB (stage " << r.peak_stage << ")\n";
  o << "GPU memory:     " << gib(r.gpu_memory) << " GiB (" << s.cluster.node.gpu.name << ")\n";
  o << "fits:           " << (r.fits() ? "yes (GPU, host and NVMe memory)" : "no: " + memory_shortfall(r.needs()))
    << "\n";
  auto [term, bytes] = largest_term(r.at_peak);
  o << "largest term:   " << term << ", " << gib(bytes) << " GiB of the " << gib(r.peak) << " GiB peak\n";
  if (r.at_peak.zero3_gathered.value() > 0)
    o << "ZeRO-3 gathered: " << gib(r.at_peak.zero3_gathered) << " GiB of the comm buffers at the peak\n";
  if (r.host_peak_per_node.value() > 0)
    o << "host memory per node (offload): " << gib(r.host_peak_per_node) << " of " << gib(s.cluster.node.host_memory)
      << " GiB, fits: " << (r.verdict.host_fits ? "yes" : "no") << "\n";
  if (r.nvme_peak_per_node.value() > 0)
    o << "NVMe per node (offload):        " << gib(r.nvme_peak_per_node) << " of " << gib(s.cluster.node.nvme_capacity)
      << " GiB, fits: " << (r.verdict.nvme_fits ? "yes" : "no") << "\n";
  const std::string assumed = assumptions_text(memory_assumptions(s), s.cluster.name);
  if (!assumed.empty()) o << "\n" << assumed;
  return o.str();
}

nlohmann::json memory_json(const Scenario& s, const MemoryResult& r) {
  nlohmann::json stages = nlohmann::json::array();
  for (const StageMemory& st : r.stages) stages.push_back(stage_json(st));
  return {{"schema_version", kSummarySchemaVersion},
          {"params_total", r.params_total},
          {"params_per_gpu", r.params_per_gpu},
          {"peak_memory_bytes", whole(r.peak)},
          {"gpu_memory_bytes", whole(r.gpu_memory)},
          {"fits", r.fits()},
          {"gpu_fits", r.verdict.gpu_fits},
          {"host_fits", r.verdict.host_fits},
          {"nvme_fits", r.verdict.nvme_fits},
          {"memory_at_peak_bytes", breakdown_json(r.at_peak)},
          {"largest_term", {{"name", largest_term(r.at_peak).first}, {"bytes", whole(largest_term(r.at_peak).second)}}},
          {"host_memory_peak_bytes_per_node", whole(r.host_peak_per_node)},
          {"nvme_peak_bytes_per_node", whole(r.nvme_peak_per_node)},
          {"host_memory_fits", r.verdict.host_fits},
          {"peak_stage", r.peak_stage},
          {"memory_convention", convention_json(state_convention(s))},
          {"stages", stages},
          {"assumptions", assumptions_json(memory_assumptions(s))},
          {"layout", layout_json(s.parallel, s.training, s.num_micro_batches(), s.gpus, s.nodes, s.memory.convention)}};
}

}  // namespace trainsim
