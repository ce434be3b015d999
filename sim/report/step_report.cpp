#include "sim/report/step_report.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <ostream>
#include <sstream>
#include <utility>
#include <vector>

#include "sim/report/memory_report.hpp"  // kSummarySchemaVersion
#include "sim/report/report_format.hpp"
#include "sim/core/format.hpp"

namespace trainsim {

namespace {

using Rows = std::vector<std::vector<std::string>>;

// Comm and offload volumes are reported in SI gigabytes (kGB), memory in GiB.
std::int64_t whole(double bytes) { return whole_bytes(bytes); }
std::int64_t whole(Bytes b) { return whole_bytes(b.value()); }

std::string gib(double bytes) { return gib_text(bytes); }

// (name, seconds) in StepBreakdown's field order; the summary.json keys.
std::vector<std::pair<const char*, double>> breakdown_items(const StepBreakdown& b) {
  const auto items = b.items();
  return {items.begin(), items.end()};
}

std::vector<std::pair<const char*, Bytes>> memory_items(const MemoryBreakdown& m) {
  return {{"params", m.params},
          {"grads", m.grads},
          {"optimizer_states", m.optimizer_states},
          {"activations", m.activations},
          {"comm_buffers", m.comm_buffers},
          {"other", m.other}};
}

std::vector<std::pair<const char*, double>> offload_items(const StepResult& r) {
  return {{"pcie_d2h", r.offload_pcie_d2h_bytes_per_gpu.value()},
          {"pcie_h2d", r.offload_pcie_h2d_bytes_per_gpu.value()},
          {"nvme_read", r.offload_nvme_read_bytes_per_gpu.value()},
          {"nvme_write", r.offload_nvme_write_bytes_per_gpu.value()}};
}

const GpuStats* find_gpu(const StepResult& r, int rank) {
  for (const GpuStats& g : r.per_gpu)
    if (g.rank == rank) return &g;
  return nullptr;
}

std::string where(const StepResult& r, int rank) {
  std::string s = "rank " + std::to_string(rank);
  if (const GpuStats* g = find_gpu(r, rank)) s += ": " + rank_label(g->node, g->coord);
  return s;
}

std::string header_text(const StepResult& r) {
  const ParallelPlan& p = r.parallel;
  const TrainingPlan& t = r.training;
  std::ostringstream o;
  o << "scenario " << r.scenario << ": " << r.model << " on " << r.gpus << " x " << r.gpu << " (" << r.cluster << ", "
    << r.nodes << " node" << (r.nodes == 1 ? "" : "s") << ")\n";
  o << "layout: tp " << p.tp << ", pp " << p.pp << ", dp " << p.dp << ", cp " << p.cp << ", vp " << p.vp
    << ", sequence parallel " << (p.sequence_parallel ? "on" : "off") << ", ZeRO " << p.zero_stage << ", "
    << to_string(p.schedule) << "\ntraining: micro-batch " << t.micro_batch << " x " << r.micro_batches
    << " micro-batches per step (global batch " << t.global_batch << "), seq " << t.seq_len << ", "
    << to_string(t.precision) << ", recompute " << to_string(t.recompute) << "\n"
    << convention_text(r.convention_statement);
  return o.str();
}

// One row: every figure in its own column, the unit in the header.
std::string throughput_text(const StepResult& r) {
  Rows rows = {
      {"step time [s]", "throughput [tokens/s]", "model [TFLOP/s per GPU]", "hardware [TFLOP/s per GPU]", "MFU [%]"},
      {fixed(r.step_time_s.value(), 4), fixed(r.tokens_per_s, 0), fixed(r.model_tflops_per_gpu, 1),
       fixed(r.hardware_tflops_per_gpu, 1), fixed(100.0 * r.mfu, 1)}};
  return render_text_table(rows);
}

std::string breakdown_text(const StepResult& r) {
  Rows rows = {{"breakdown (" + where(r, r.critical_rank) + ")", "time [s]", "share [% of step]"}};
  const double step_s = r.step_time_s.value();
  auto share = [&](double s) { return fixed(step_s > 0 ? 100.0 * s / step_s : 0.0, 1); };
  for (const auto& [name, s] : breakdown_items(r.breakdown)) rows.push_back({name, fixed(s, 4), share(s)});
  rows.push_back({"total", fixed(step_s, 4), share(step_s)});
  return render_text_table(rows);
}

std::string memory_text(const StepResult& r) {
  std::ostringstream o;
  o << "peak memory [GiB]: " << gib(r.peak_memory_bytes.value()) << " of " << gib(r.gpu_memory_bytes.value())
    << " GiB HBM (" << r.gpu << "), fits: " << (r.verdict.gpu_fits ? "yes" : "no") << ", " << where(r, r.peak_rank)
    << "\n";
  Rows rows = {{"memory at peak", "size [GiB]"}};
  for (const auto& [name, b] : memory_items(r.memory_at_peak)) rows.push_back({name, gib(b.value())});
  rows.push_back({"total", gib(r.memory_at_peak.total().value())});
  o << render_text_table(rows);
  if (r.memory_at_peak.zero3_gathered.value() > 0)
    o << "of comm_buffers, ZeRO-3 gathered parameters [GiB]: " << gib(r.memory_at_peak.zero3_gathered.value()) << "\n";
  if (r.host_memory_peak_bytes_per_node.value() > 0)
    o << "host memory per node (offload) [GiB]: " << gib(r.host_memory_peak_bytes_per_node.value()) << " of "
      << gib(r.host_memory_bytes_per_node.value()) << ", fits: " << (r.verdict.host_fits ? "yes" : "no") << "\n";
  if (r.nvme_peak_bytes_per_node.value() > 0)
    o << "NVMe per node (offload) [GiB]: " << gib(r.nvme_peak_bytes_per_node.value()) << " of "
      << gib(r.nvme_capacity_bytes_per_node.value()) << ", fits: " << (r.verdict.nvme_fits ? "yes" : "no") << "\n";
  o << "plan fits (GPU, host and NVMe memory): " << (r.fits() ? "yes" : "no: " + memory_shortfall(r.memory_needs()))
    << "\n";
  return o.str();
}

std::string traffic_text(const StepResult& r) {
  std::string out;
  if (!r.comm_bytes_per_gpu.empty()) {
    Rows rows = {{"communication (group.kind)", "sent per GPU [GB]"}};
    for (const auto& [kind, bytes] : r.comm_bytes_per_gpu) rows.push_back({kind, fixed(bytes.value() / kGB, 3)});
    out += render_text_table(rows);
  }
  Rows off = {{"offload traffic", "per GPU [GB]"}};
  for (const auto& [name, bytes] : offload_items(r))
    if (bytes > 0) off.push_back({name, fixed(bytes / kGB, 3)});
  if (off.size() > 1) out += (out.empty() ? "" : "\n") + render_text_table(off);
  return out;
}

std::string simulation_text(const StepResult& r) {
  std::ostringstream o;
  o << "simulation: " << (r.full_simulation ? "full" : "symmetric") << ", " << r.simulated_gpus << " of " << r.gpus
    << " GPUs simulated, " << r.events << " events\n";
  return o.str();
}

}  // namespace

std::string format_step_summary(const StepResult& r) {
  std::string traffic = traffic_text(r);
  std::string assumed = assumptions_text(r.assumptions, r.cluster);
  return header_text(r) + "\n" + throughput_text(r) + "\n" + breakdown_text(r) + "\n" + memory_text(r) + "\n" +
         (traffic.empty() ? "" : traffic + "\n") + simulation_text(r) + (assumed.empty() ? "" : "\n" + assumed);
}

nlohmann::json step_summary_json(const StepResult& r) {
  nlohmann::json j;
  j["schema_version"] = kSummarySchemaVersion;
  j["scenario"] = r.scenario;
  j["model"] = r.model;
  j["cluster"] = r.cluster;
  j["gpu"] = r.gpu;
  j["params_total"] = r.params_total;
  j["step_time_s"] = r.step_time_s.value();
  j["tokens_per_s"] = r.tokens_per_s;
  j["model_tflops_per_gpu"] = r.model_tflops_per_gpu;
  j["hardware_tflops_per_gpu"] = r.hardware_tflops_per_gpu;
  j["mfu"] = r.mfu;
  for (const auto& [name, s] : breakdown_items(r.breakdown)) j["breakdown_s"][name] = s;
  j["critical_rank"] = r.critical_rank;
  j["peak_memory_bytes"] = whole(r.peak_memory_bytes);
  j["peak_rank"] = r.peak_rank;
  j["gpu_memory_bytes"] = whole(r.gpu_memory_bytes);
  j["fits"] = r.fits();  // GPU and host and NVMe (issue 18)
  j["gpu_fits"] = r.verdict.gpu_fits;
  j["host_fits"] = r.verdict.host_fits;
  j["nvme_fits"] = r.verdict.nvme_fits;
  for (const auto& [name, b] : memory_items(r.memory_at_peak)) j["memory_at_peak_bytes"][name] = whole(b);
  j["host_memory_peak_bytes_per_node"] = whole(r.host_memory_peak_bytes_per_node);
  j["nvme_peak_bytes_per_node"] = whole(r.nvme_peak_bytes_per_node);
  j["host_memory_bytes_per_node"] = whole(r.host_memory_bytes_per_node);
  j["host_memory_fits"] = r.verdict.host_fits;  // = host_fits, kept for scripts written before issue 18
  j["nvme_capacity_bytes_per_node"] = whole(r.nvme_capacity_bytes_per_node);
  j["comm_bytes_per_gpu"] = nlohmann::json::object();
  for (const auto& [kind, bytes] : r.comm_bytes_per_gpu) j["comm_bytes_per_gpu"][kind] = whole(bytes);
  j["offload_bytes_per_gpu"] = nlohmann::json::object();
  for (const auto& [name, bytes] : offload_items(r)) j["offload_bytes_per_gpu"][name] = whole(bytes);
  j["memory_convention"] = convention_json(r.convention_statement);
  j["layout"] = layout_json(r.parallel, r.training, r.micro_batches, r.gpus, r.nodes, r.convention);
  j["simulation"] = {{"full", r.full_simulation}, {"simulated_gpus", r.simulated_gpus}, {"events", r.events}};
  j["assumptions"] = assumptions_json(r.assumptions);
  return j;
}

void write_per_gpu_csv(const StepResult& r, std::ostream& os) {
  os << "rank,node,local_gpu,dp,pp,tp,cp,peak_bytes,params_bytes,grads_bytes,optimizer_states_bytes,"
        "activations_bytes,comm_buffers_bytes,other_bytes,busy_s,idle_s,simulated\n";
  std::vector<size_t> order(r.per_gpu.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return r.per_gpu[a].rank < r.per_gpu[b].rank; });
  for (size_t i : order) {
    const GpuStats& g = r.per_gpu[i];
    const RankCoord& c = g.coord;
    os << g.rank << ',' << g.node << ',' << g.local_gpu << ',' << c.dp << ',' << c.pp << ',' << c.tp << ',' << c.cp
       << ',' << whole(g.peak_bytes);
    for (const auto& item : memory_items(g.at_peak)) os << ',' << whole(item.second);
    os << ',' << general(g.busy_s.value(), 12) << ',' << general(g.idle_s.value(), 12) << ',' << (g.simulated ? 1 : 0)
       << '\n';
  }
}

}  // namespace trainsim
