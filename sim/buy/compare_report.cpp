#include "sim/buy/compare_report.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "sim/core/format.hpp"
#include "sim/spec/enum_names.hpp"

namespace trainsim {
namespace {

constexpr double kDay = 86400;
constexpr double kGiB = 1024.0 * 1024 * 1024;

std::string layout_text(const PlanOutcome& o) {
  const ParallelPlan& p = o.parallel;
  const TrainingPlan& t = o.training;
  return "tp" + std::to_string(p.tp) + " pp" + std::to_string(p.pp) + " dp" + std::to_string(p.dp) +
         (p.cp > 1 ? " cp" + std::to_string(p.cp) : "") + (p.vp > 1 ? " vp" + std::to_string(p.vp) : "") +
         (p.sequence_parallel ? " sp" : "") + (p.ep > 1 ? " ep" + std::to_string(p.ep) : "") +
         (p.expert_tp() != p.tp ? " etp" + std::to_string(p.expert_tp()) : "") + " z" + std::to_string(p.zero_stage) +
         " mb" + std::to_string(t.micro_batch) + " gb" + std::to_string(t.global_batch) + " " + to_string(t.recompute);
}

// Fixed-width columns: the first left-aligned, the rest right-aligned.
std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::string out;
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      const std::string pad(width[i] - r[i].size(), ' ');
      out += (i ? "  " : "") + (i ? pad + r[i] : r[i] + pad);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
  }
  return out;
}

std::vector<std::string> plan_row(const CandidateResult& r) {
  if (!r.found) return {r.candidate.name, std::to_string(r.gpus), r.reason, "", "", "", "", ""};
  const StepResult& s = r.best.result;
  return {r.candidate.name,
          std::to_string(r.gpus),
          layout_text(r.best),
          fixed(s.step_time_s.value(), 3),
          fixed(s.tokens_per_s, 0),
          fixed(100 * s.mfu, 1),
          fixed(s.peak_memory_bytes.value() / kGiB, 1),
          std::to_string(r.fitting) + "/" + std::to_string(r.points)};
}

std::vector<std::string> money_row(const CandidateResult& r) {
  if (!r.found) return {r.candidate.name, "", "", "", "", "", "", "", "", "", "", ""};
  return {r.candidate.name,
          fixed(r.time_to_train_s / kDay, 1),
          fixed(r.effective_time_s / kDay, 1),
          fixed(100 * r.goodput, 1),
          fixed(r.expected_interruptions, 1),
          fixed(r.interval_s / 60, 1),
          fixed(r.gpu_hours / 1e3, 1),
          fixed(r.cost / 1e3, 1),
          fixed(r.energy_kwh / 1e3, 1),
          fixed(r.tokens_per_cost / 1e6, 2),
          fixed(r.tokens_per_kwh / 1e6, 2),
          r.pareto ? "*" : ""};
}

// The plan, the job and its goodput of a candidate with a fitting plan.
void add_plan_json(const CandidateResult& r, nlohmann::json& c) {
  const ParallelPlan& p = r.best.parallel;
  const TrainingPlan& t = r.best.training;
  const StepResult& s = r.best.result;
  c["layout"] = {{"tp", p.tp},
                 {"pp", p.pp},
                 {"dp", p.dp},
                 {"cp", p.cp},
                 {"vp", p.vp},
                 {"sequence_parallel", p.sequence_parallel},
                 {"zero_stage", p.zero_stage},
                 {"micro_batch", t.micro_batch},
                 {"global_batch", t.global_batch},
                 {"seq_len", t.seq_len},
                 {"recompute", to_string(t.recompute)},
                 {"schedule", to_string(p.schedule)}};
  if (p.ep > 1 || p.etp > 0) {  // the expert mesh, as in run's layout (report_format.cpp); absent for dense plans
    c["layout"]["ep"] = p.ep;
    c["layout"]["etp"] = p.expert_tp();
    c["layout"]["expert_dp"] = p.expert_dp();
  }
  c["step_time_s"] = s.step_time_s.value();
  c["tokens_per_s"] = s.tokens_per_s;
  c["mfu"] = s.mfu;
  c["peak_memory_bytes"] = s.peak_memory_bytes.value();
  c["steps"] = r.steps;
  c["time_to_train_s"] = r.time_to_train_s;
  c["effective_time_to_train_s"] = r.effective_time_s;
  c["gpu_hours"] = r.gpu_hours;
  c["price_per_gpu_hour"] = r.per_gpu_hour;
  c["cost"] = r.cost;
  c["energy_kwh"] = r.energy_kwh;
  c["energy_per_step_j"] = r.energy_step_j;
  c["average_power_kw"] = r.average_power_kw;
  c["tokens_per_cost"] = r.tokens_per_cost;
  c["tokens_per_kwh"] = r.tokens_per_kwh;
  c["goodput"] = {{"checkpoint_bytes", r.checkpoint_bytes},
                  {"storage_bandwidth_bytes_per_s", r.storage_bandwidth},
                  {"checkpoint_write_s", r.checkpoint_s},
                  {"restart_s", r.restart_s},
                  {"mtbf_s", r.mtbf_s},
                  {"checkpoint_interval_s", r.interval_s},
                  {"young_interval_s", r.young_interval_s},
                  {"expected_interruptions", r.expected_interruptions},
                  {"goodput", r.goodput}};
}

}  // namespace

std::vector<std::size_t> compare_ranking(const CompareResult& result) {
  std::vector<std::size_t> order(result.rows.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const CandidateResult &p = result.rows[a], &q = result.rows[b];
    if (p.found != q.found) return p.found;
    return p.found && p.effective_time_s < q.effective_time_s;
  });
  return order;
}

std::string format_compare_table(const CompareResult& result) {
  std::vector<std::vector<std::string>> plan{
      {"candidate", "GPUs", "best layout", "step [s]", "tokens/s", "MFU [%]", "peak mem [GiB]", "fitting/plans"}};
  std::vector<std::vector<std::string>> money{{"candidate", "train [d]", "effective [d]", "goodput [%]",
                                               "interruptions", "ckpt every [min]", "GPU-hours [k]", "cost [k$]",
                                               "energy [MWh]", "tokens/$ [M]", "tokens/kWh [M]", "pareto"}};
  for (std::size_t i : compare_ranking(result)) {
    plan.push_back(plan_row(result.rows[i]));
    money.push_back(money_row(result.rows[i]));
  }
  std::string out = (result.title.empty() ? result.file : result.title) + ": " + general(result.tokens, 4) +
                    " tokens, " + std::to_string(result.rows.size()) + " candidates (best first)\n\n";
  out += table(plan) + "\n" + table(money);
  out +=
      "\n(train: failure-free; effective: with interruptions, checkpoints and restarts (Daly 2006); "
      "cost and energy over the effective time; * on the Pareto front of effective time vs cost)\n";
  for (std::size_t i : compare_ranking(result))
    for (const auto& a : result.rows[i].assumptions)
      out += "assumed for " + result.rows[i].candidate.name + ": " + a + "\n";
  return out;
}

nlohmann::json compare_json(const CompareResult& result) {
  nlohmann::json j;
  j["schema_version"] = 1;
  j["file"] = result.file;
  j["title"] = result.title;
  j["tokens"] = result.tokens;
  j["candidates"] = nlohmann::json::array();
  for (std::size_t i : compare_ranking(result)) {
    const CandidateResult& r = result.rows[i];
    nlohmann::json c;
    c["name"] = r.candidate.name;
    c["cluster"] = r.candidate.cluster;
    c["gpu"] = r.gpu;
    c["nodes"] = r.nodes;
    c["gpus"] = r.gpus;
    c["found"] = r.found;
    c["reason"] = r.reason;
    c["search"] = {{"points", r.points}, {"simulated", r.simulated}, {"fitting", r.fitting}};
    c["pareto"] = r.pareto;
    c["assumptions"] = r.assumptions;
    if (r.found) add_plan_json(r, c);
    j["candidates"].push_back(c);
  }
  return j;
}

std::string compare_csv(const CompareResult& result) {
  std::string out =
      "rank,name,cluster,gpu,nodes,gpus,found,tp,pp,dp,cp,vp,zero_stage,micro_batch,global_batch,recompute,"
      "step_time_s,tokens_per_s,mfu,peak_memory_bytes,time_to_train_s,effective_time_to_train_s,goodput,"
      "expected_interruptions,checkpoint_interval_s,checkpoint_write_s,gpu_hours,cost,energy_kwh,tokens_per_cost,"
      "tokens_per_kwh,pareto\n";
  auto q = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string t = "\"";
    for (char ch : s) t += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return t + "\"";
  };
  std::size_t rank = 0;
  for (std::size_t i : compare_ranking(result)) {
    const CandidateResult& r = result.rows[i];
    std::string line = std::to_string(++rank) + "," + q(r.candidate.name) + "," + q(r.candidate.cluster) + "," +
                       q(r.gpu) + "," + std::to_string(r.nodes) + "," + std::to_string(r.gpus) + "," +
                       (r.found ? "true" : "false");
    if (r.found) {
      const ParallelPlan& p = r.best.parallel;
      const TrainingPlan& t = r.best.training;
      const StepResult& s = r.best.result;
      for (int v : {p.tp, p.pp, p.dp, p.cp, p.vp, p.zero_stage, t.micro_batch, t.global_batch})
        line += "," + std::to_string(v);
      line += "," + std::string(to_string(t.recompute));
      for (double v : {s.step_time_s.value(), s.tokens_per_s, s.mfu, s.peak_memory_bytes.value(), r.time_to_train_s,
                       r.effective_time_s, r.goodput, r.expected_interruptions, r.interval_s, r.checkpoint_s,
                       r.gpu_hours, r.cost, r.energy_kwh, r.tokens_per_cost, r.tokens_per_kwh})
        line += "," + general(v, 10);
    } else {
      line += std::string(24, ',');
    }
    out += line + "," + (r.pareto ? "true" : "false") + "\n";
  }
  return out;
}

ScatterPlot compare_plot(const CompareResult& result) {
  ScatterPlot p;
  p.title = (result.title.empty() ? result.file : result.title) + ": effective time to train vs cost";
  p.x_label = "cost [k$] (example prices)";
  p.y_label = "effective time to train [days]";
  p.series_name = "candidate";
  for (std::size_t i : compare_ranking(result)) {
    const CandidateResult& r = result.rows[i];
    if (!r.found) continue;
    PlotPoint pt;
    pt.x = r.cost / 1e3;
    pt.y = r.effective_time_s / kDay;
    pt.highlight = r.pareto;
    pt.label = r.candidate.name + ": " + fixed(pt.y, 1) + " days, " + fixed(pt.x, 1) + " k$" +
               (r.pareto ? " (Pareto front)" : "");
    pt.series = static_cast<int>(p.series.size());
    p.series.push_back(r.candidate.name);
    p.points.push_back(pt);
  }
  return p;
}

}  // namespace trainsim
