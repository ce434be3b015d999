// The writers of `trainsim run` (sim/report/step_report, chrome_trace):
// summary.json keys and values, per_gpu.csv rows, trace.json events, and the
// terminal table, on a small StepResult built by hand.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim/report/chrome_trace.hpp"
#include "sim/report/step_report.hpp"

using namespace trainsim;

namespace {

MemoryBreakdown breakdown_gib(double params, double grads, double opt, double act, double comm, double other) {
  MemoryBreakdown m;
  m.params = Bytes(params * kGiB);
  m.grads = Bytes(grads * kGiB);
  m.optimizer_states = Bytes(opt * kGiB);
  m.activations = Bytes(act * kGiB);
  m.comm_buffers = Bytes(comm * kGiB);
  m.other = Bytes(other * kGiB);
  return m;
}

GpuStats gpu(int rank, int pp, bool simulated, double busy_s, double step_s) {
  GpuStats g;
  g.rank = rank;
  g.coord.pp = pp;
  g.node = rank / 2;
  g.local_gpu = rank % 2;
  g.at_peak = breakdown_gib(2, 4, 6, 8 + rank, 0.5, 1);
  g.peak_bytes = g.at_peak.total();
  g.busy_s = Seconds(busy_s);
  g.idle_s = Seconds(step_s - busy_s);
  g.simulated = simulated;
  return g;
}

// Three GPUs on two nodes, pp 3; ranks 0 and 1 simulated, rank 2 a copy.
StepResult sample() {
  StepResult r;
  r.scenario = "tiny.yaml";
  r.model = "gpt-tiny";
  r.cluster = "dgx-a100-80gb";
  r.gpu = "a100-sxm4-80gb";
  r.parallel.pp = 3;
  r.parallel.zero_stage = 1;
  r.parallel.schedule = Schedule::one_f_one_b;
  r.training.seq_len = 1024;
  r.training.micro_batch = 2;
  r.training.global_batch = 8;
  r.training.precision = Precision::bf16;
  r.training.recompute = Recompute::selective;
  r.gpus = 3;
  r.nodes = 2;
  r.micro_batches = 4;
  r.params_total = 123456789;
  r.step_time_s = Seconds(0.0035);
  r.tokens_per_s = 8 * 1024 / 0.0035;
  r.model_tflops_per_gpu = 101.25;
  r.hardware_tflops_per_gpu = 120.5;
  r.mfu = 0.3245;
  r.breakdown = {Seconds(0.0010), Seconds(0.0002), Seconds(0.0001), Seconds(0.0010),
                 Seconds(0.0001), Seconds(0.0006), Seconds(0.0000), Seconds(0.0005)};
  r.critical_rank = 2;
  r.per_gpu = {gpu(0, 0, true, 0.0015, 0.0035), gpu(1, 1, true, 0.0020, 0.0035), gpu(2, 2, false, 0.0020, 0.0035)};
  r.peak_rank = 2;
  r.memory_at_peak = r.per_gpu[2].at_peak;
  r.peak_memory_bytes = r.per_gpu[2].peak_bytes;
  r.gpu_memory_bytes = Bytes(80 * kGiB);
  r.verdict = MemoryVerdict{};
  r.host_memory_peak_bytes_per_node = Bytes(3e9);
  r.offload_pcie_d2h_bytes_per_gpu = Bytes(1.5e9);
  r.offload_pcie_h2d_bytes_per_gpu = Bytes(2.5e9);
  r.comm_bytes_per_gpu = {
      {"dp.reduce_scatter", Bytes(4.25e9)}, {"pp.send_recv", Bytes(1.0e6)}, {"tp.all_reduce", Bytes(2e9)}};
  r.full_simulation = false;
  r.simulated_gpus = 2;
  r.events = 4242;
  r.spans = {
      {1, Lane::compute, "F mb0 c0", "forward", Seconds(0.0012), Seconds(0.0022), 0, 0, 0, 0, "", ""},
      {0, Lane::compute, "F mb0 c0", "forward", Seconds(0.0), Seconds(0.001), 0, 0, 0, 0, "", ""},
      {0, Lane::pp_p2p, "send F mb0", "pp", Seconds(0.001), Seconds(0.0012), 0, -1, 0, 0, "", ""},
      {0, Lane::tp_comm, "tp all_reduce", "tp", Seconds(0.0005), Seconds(0.0007), -1, -1, 0, 0, "", ""},
      {1, Lane::dp_comm, "dp reduce_scatter bucket 0", "dp", Seconds(0.0022), Seconds(0.003), -1, -1, 0, 0, "", ""},
      {1, Lane::compute, "optimizer", "optimizer", Seconds(0.003), Seconds(0.0035), -1, -1, 0, 0, "", ""}};
  r.flows = {{7, 0, Seconds(0.001), 1, Seconds(0.0012), "send F mb0"}};
  r.memory_samples = {{0, Seconds(0.001), Bytes(12 * kGiB)},
                      {0, Seconds(0.0), Bytes(10 * kGiB)},
                      {1, Seconds(0.0012), Bytes(11 * kGiB)}};
  return r;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, sep);) out.push_back(item);
  return out;
}

std::vector<nlohmann::json> events_with(const nlohmann::json& trace, const std::string& ph) {
  std::vector<nlohmann::json> out;
  for (const auto& e : trace["traceEvents"])
    if (e["ph"] == ph) out.push_back(e);
  return out;
}

nlohmann::json streamed_trace(const StepResult& r) {
  std::ostringstream o;
  write_chrome_trace(r, o);
  return nlohmann::json::parse(o.str());
}

}  // namespace

TEST_CASE("Lane names") {
  CHECK(std::string(to_string(Lane::compute)) == "compute");
  CHECK(std::string(to_string(Lane::tp_comm)) == "tp_comm");
  CHECK(std::string(to_string(Lane::dp_comm)) == "dp_comm");
  CHECK(std::string(to_string(Lane::pp_p2p)) == "pp_p2p");
  CHECK(std::string(to_string(Lane::pcie)) == "pcie");
  CHECK(std::string(to_string(Lane::nvme)) == "nvme");
  CHECK(std::string(to_string(Lane::host)) == "host");
}

TEST_CASE("summary.json: every DESIGN key with its value") {
  const StepResult r = sample();
  const nlohmann::json j = step_summary_json(r);
  const std::set<std::string> keys = {"schema_version",
                                      "params_total",
                                      "step_time_s",
                                      "tokens_per_s",
                                      "model_tflops_per_gpu",
                                      "hardware_tflops_per_gpu",
                                      "mfu",
                                      "breakdown_s",
                                      "peak_memory_bytes",
                                      "gpu_memory_bytes",
                                      "fits",
                                      "memory_at_peak_bytes",
                                      "comm_bytes_per_gpu",
                                      "host_memory_peak_bytes_per_node",
                                      "nvme_peak_bytes_per_node",
                                      "offload_bytes_per_gpu",
                                      "layout",
                                      "model",
                                      "cluster",
                                      "gpu",
                                      "scenario",
                                      "critical_rank",
                                      "peak_rank",
                                      "simulation",
                                      "host_memory_bytes_per_node",
                                      "host_memory_fits",
                                      "nvme_capacity_bytes_per_node",
                                      "gpu_fits",
                                      "host_fits",
                                      "nvme_fits",
                                      "assumptions",
                                      "memory_convention"};
  std::set<std::string> got;
  for (const auto& item : j.items()) got.insert(item.key());
  CHECK(got == keys);
  CHECK(j["schema_version"] == 1);
  CHECK(j["params_total"] == 123456789);
  CHECK(j["step_time_s"].get<double>() == doctest::Approx(0.0035));
  CHECK(j["tokens_per_s"].get<double>() == doctest::Approx(8 * 1024 / 0.0035));
  CHECK(j["model_tflops_per_gpu"].get<double>() == doctest::Approx(101.25));
  CHECK(j["hardware_tflops_per_gpu"].get<double>() == doctest::Approx(120.5));
  CHECK(j["mfu"].get<double>() == doctest::Approx(0.3245));

  const nlohmann::json& b = j["breakdown_s"];
  CHECK(b.size() == 8);
  double sum = 0;
  for (const auto& item : b.items()) sum += item.value().get<double>();
  CHECK(sum == doctest::Approx(j["step_time_s"].get<double>()));
  CHECK(b["recompute"].get<double>() == doctest::Approx(0.0002));
  CHECK(b["pp_bubble"].get<double>() == doctest::Approx(0.0010));
  CHECK(b["dp_comm_exposed"].get<double>() == doctest::Approx(0.0006));
  CHECK(b["optimizer"].get<double>() == doctest::Approx(0.0005));
  CHECK(b.contains("tp_comm_exposed"));
  CHECK(b.contains("pp_comm_exposed"));
  CHECK(b.contains("offload_exposed"));
}

TEST_CASE("summary.json: memory, traffic, layout and simulation") {
  const nlohmann::json j = step_summary_json(sample());

  const std::int64_t gib = 1LL << 30;
  CHECK(j["peak_memory_bytes"] == 23 * gib + gib / 2);  // 2 + 4 + 6 + 10 + 0.5 + 1 GiB on rank 2
  CHECK(j["gpu_memory_bytes"] == 80 * gib);
  CHECK(j["fits"] == true);
  CHECK(j["memory_at_peak_bytes"] == nlohmann::json({{"params", 2 * gib},
                                                     {"grads", 4 * gib},
                                                     {"optimizer_states", 6 * gib},
                                                     {"activations", 10 * gib},
                                                     {"comm_buffers", gib / 2},
                                                     {"other", gib}}));
  CHECK(
      j["comm_bytes_per_gpu"] ==
      nlohmann::json({{"dp.reduce_scatter", 4250000000LL}, {"pp.send_recv", 1000000}, {"tp.all_reduce", 2000000000}}));
  CHECK(j["host_memory_peak_bytes_per_node"] == 3000000000LL);
  CHECK(j["nvme_peak_bytes_per_node"] == 0);
  CHECK(j["offload_bytes_per_gpu"] ==
        nlohmann::json({{"pcie_d2h", 1500000000}, {"pcie_h2d", 2500000000LL}, {"nvme_read", 0}, {"nvme_write", 0}}));
  CHECK(j["layout"] == nlohmann::json({{"tp", 1},
                                       {"pp", 3},
                                       {"dp", 1},
                                       {"cp", 1},
                                       {"vp", 1},
                                       {"sequence_parallel", false},
                                       {"zero_stage", 1},
                                       {"schedule", "1f1b"},
                                       {"micro_batch", 2},
                                       {"num_micro_batches", 4},
                                       {"global_batch", 8},
                                       {"seq_len", 1024},
                                       {"precision", "bf16"},
                                       {"recompute", "selective"},
                                       {"convention", "megatron"},
                                       {"gpus", 3},
                                       {"nodes", 2}}));
  CHECK(j["model"] == "gpt-tiny");
  CHECK(j["cluster"] == "dgx-a100-80gb");
  CHECK(j["gpu"] == "a100-sxm4-80gb");
  CHECK(j["scenario"] == "tiny.yaml");
  CHECK(j["critical_rank"] == 2);
  CHECK(j["peak_rank"] == 2);
  CHECK(j["simulation"] == nlohmann::json({{"full", false}, {"simulated_gpus", 2}, {"events", 4242}}));
  CHECK(j.dump() == step_summary_json(sample()).dump());  // deterministic text
}

TEST_CASE("per_gpu.csv: header and one row per GPU in rank order") {
  StepResult r = sample();
  std::swap(r.per_gpu[0], r.per_gpu[2]);  // rank order comes from the rank, not the vector
  std::ostringstream o;
  write_per_gpu_csv(r, o);
  const std::vector<std::string> lines = split(o.str(), '\n');
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] ==
        "rank,node,local_gpu,dp,pp,tp,cp,peak_bytes,params_bytes,grads_bytes,optimizer_states_bytes,"
        "activations_bytes,comm_buffers_bytes,other_bytes,busy_s,idle_s,simulated");
  const size_t columns = split(lines[0], ',').size();
  for (int rank = 0; rank < 3; ++rank) {
    const std::vector<std::string> cells = split(lines[1 + rank], ',');
    REQUIRE(cells.size() == columns);
    CHECK(cells[0] == std::to_string(rank));
    CHECK(cells[1] == std::to_string(rank / 2));
    CHECK(cells[2] == std::to_string(rank % 2));
    CHECK(cells[4] == std::to_string(rank));  // pp
  }
  CHECK(lines[1] ==
        "0,0,0,0,0,0,0,23085449216,2147483648,4294967296,6442450944,8589934592,536870912,"
        "1073741824,0.0015,0.002,1");
  CHECK(split(lines[3], ',')[7] == "25232932864");  // rank 2: 23.5 GiB
  CHECK(split(lines[3], ',').back() == "0");        // a copy, not simulated
}

TEST_CASE("trace.json: processes, threads, spans, counters and flows") {
  const StepResult r = sample();
  const nlohmann::json t = streamed_trace(r);
  CHECK(t["displayTimeUnit"] == "ms");
  CHECK(t == chrome_trace(r));  // streaming and in-memory agree

  std::map<int, std::string> processes;
  std::map<int, std::set<std::string>> threads;
  for (const auto& m : events_with(t, "M")) {
    if (m["name"] == "process_name") processes[m["pid"].get<int>()] = m["args"]["name"];
    if (m["name"] == "thread_name") threads[m["pid"].get<int>()].insert(m["args"]["name"].get<std::string>());
  }
  CHECK(processes == std::map<int, std::string>{{0, "GPU 0 (node 0, dp 0 pp 0 tp 0 cp 0)"},
                                                {1, "GPU 1 (node 0, dp 0 pp 1 tp 0 cp 0)"}});
  CHECK(threads[0] == std::set<std::string>{"compute", "tp_comm", "pp_p2p"});
  CHECK(threads[1] == std::set<std::string>{"compute", "dp_comm"});

  const auto spans = events_with(t, "X");
  REQUIRE(spans.size() == r.spans.size());
  const nlohmann::json& send =
      *std::find_if(spans.begin(), spans.end(), [](const auto& e) { return e["cat"] == "pp"; });
  CHECK(send["pid"] == 0);
  CHECK(send["tid"] == 3);
  CHECK(send["ts"].get<double>() == 1000.0);  // 1 ms in µs, exactly
  CHECK(send["dur"].get<double>() == 200.0);
  CHECK(send["args"]["micro_batch"] == 0);
  CHECK(spans[0]["name"] == "F mb0 c0");
  CHECK(spans[0]["dur"].get<double>() == 1000.0);
  CHECK(spans[0]["args"]["chunk"] == 0);
  CHECK(spans.back()["name"] == "optimizer");
  CHECK(spans.back()["ts"].get<double>() == 3000.0);
  CHECK(spans.back()["dur"].get<double>() == 500.0);

  const auto counters = events_with(t, "C");
  REQUIRE(counters.size() == 3);
  CHECK(counters[0]["name"] == "HBM in use");
  CHECK(counters[0]["ts"].get<double>() == 0.0);  // sorted by time within the process
  CHECK(counters[0]["args"]["GiB"].get<double>() == doctest::Approx(10.0));
  CHECK(counters[1]["args"]["GiB"].get<double>() == doctest::Approx(12.0));
  CHECK(counters[2]["pid"] == 1);

  const auto starts = events_with(t, "s");
  const auto ends = events_with(t, "f");
  REQUIRE(starts.size() == 1);
  REQUIRE(ends.size() == 1);
  CHECK(starts[0]["id"] == ends[0]["id"]);
  CHECK(starts[0]["id"] == 7);
  CHECK(starts[0]["cat"] == "pp");
  CHECK(ends[0]["cat"] == "pp");
  // Inside the slices they join: the middle of the send (1000-1200 us) and of
  // the receiver's first compute span after the arrival (F mb0 c0, 1200-2200 us).
  CHECK((starts[0]["pid"] == 0 && starts[0]["tid"] == 3 && starts[0]["ts"].get<double>() == 1100.0));
  CHECK((ends[0]["pid"] == 1 && ends[0]["tid"] == 0 && ends[0]["ts"].get<double>() == 1700.0));
  CHECK(ends[0]["bp"] == "e");
}

TEST_CASE("trace.json: the streamed text is the document's dump, one event per line") {
  StepResult r = sample();
  r.spans.push_back({1, Lane::pcie, "copy \"opt\" \\ state\tmb12", "offload", Seconds(0.25e-6), Seconds(0.75e-6), -1,
                     -1, 1.5e12, 2.5e6, "ring",
                     "F mb3 c1"});  // every optional arg: the streamed keys in dump()'s sorted order
  std::ostringstream o;
  write_chrome_trace(r, o);
  std::string text = o.str();
  CHECK(std::count(text.begin(), text.end(), '\n') == 2 + static_cast<long>(chrome_trace(r)["traceEvents"].size()));
  text.erase(std::remove(text.begin(), text.end(), '\n'), text.end());
  CHECK(text == chrome_trace(r).dump());
  const nlohmann::json parsed = nlohmann::json::parse(o.str());
  const auto spans = events_with(parsed, "X");
  const auto copy = std::find_if(spans.begin(), spans.end(), [](const auto& e) { return e["cat"] == "offload"; });
  REQUIRE(copy != spans.end());
  CHECK((*copy)["name"] == "copy \"opt\" \\ state\tmb12");  // escaped and read back
  CHECK((*copy)["ts"].get<double>() == 0.25);
  CHECK((*copy)["dur"].get<double>() == 0.5);
  CHECK(!(*copy)["args"].contains("micro_batch"));  // a span outside any pass carries no micro-batch
}

TEST_CASE("trace.json: simulated GPUs without a timeline still get a process") {
  StepResult r = sample();
  r.spans.clear();
  r.flows.clear();
  r.memory_samples.clear();
  const nlohmann::json t = streamed_trace(r);
  CHECK(t["traceEvents"].size() == 4);  // process_name and process_sort_index of ranks 0 and 1
  CHECK(events_with(t, "M").size() == 4);
}

TEST_CASE("trace.json: events ordered by pid, then ts, then tid") {
  const nlohmann::json t = chrome_trace(sample());
  int pid = -1;
  double ts = -1;
  int tid = -2;
  for (const auto& e : t["traceEvents"]) {
    if (e["ph"] == "M") {
      CHECK(e["pid"].get<int>() >= pid);
      if (e["pid"].get<int>() != pid) {
        pid = e["pid"];
        ts = -1;
        tid = -2;
      }
      continue;
    }
    CHECK(e["pid"].get<int>() == pid);  // a process's events follow its metadata
    const double ets = e["ts"];
    const int etid = e.contains("tid") ? e["tid"].get<int>() : -1;
    CHECK((ets > ts || (ets == ts && etid >= tid)));
    ts = ets;
    tid = etid;
  }
}

TEST_CASE("summary text: step time, breakdown and unit headers") {
  const std::string s = format_step_summary(sample());
  const std::vector<std::string> lines = split(s, '\n');
  auto line_with = [&](const std::string& text) {
    for (const std::string& l : lines)
      if (l.find(text) != std::string::npos) return l;
    return std::string();
  };
  auto cells = [](const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string c; in >> c;) out.push_back(c);
    return out;
  };
  const size_t header = std::find(lines.begin(), lines.end(), line_with("step time [s]")) - lines.begin();
  REQUIRE(header + 1 < lines.size());
  CHECK(line_with("step time [s]").find("throughput [tokens/s]") != std::string::npos);
  CHECK(line_with("step time [s]").find("[TFLOP/s per GPU]") != std::string::npos);
  CHECK(line_with("step time [s]").find("MFU [%]") != std::string::npos);
  // 8192 tokens / 3.5 ms; MFU 0.3245 as a percentage.
  CHECK(cells(lines[header + 1]) == std::vector<std::string>{"0.0035", "2340571", "101.2", "120.5", "32.5"});
  CHECK(s.find("time [s]") != std::string::npos);
  CHECK(s.find("share [% of step]") != std::string::npos);
  CHECK(s.find("pp_bubble") < s.find("dp_comm_exposed"));  // StepBreakdown order
  CHECK(cells(line_with("total ")) == std::vector<std::string>{"total", "0.0035", "100.0"});
  CHECK(cells(line_with("pp_bubble")) == std::vector<std::string>{"pp_bubble", "0.0010", "28.6"});
  CHECK(s.find("peak memory [GiB]: 23.50 of 80.00 GiB HBM") != std::string::npos);
  CHECK(s.find("fits: yes") != std::string::npos);
  CHECK(s.find("sent per GPU [GB]") != std::string::npos);
  CHECK(s.find("4.250") != std::string::npos);
  CHECK(s.find("pcie_d2h") != std::string::npos);
  CHECK(s.find("nvme_read") == std::string::npos);  // zero offload rows are left out
  CHECK(s.find("symmetric, 2 of 3 GPUs simulated, 4242 events") != std::string::npos);
  CHECK(s.find("ZeRO-3 gathered") == std::string::npos);  // said only when the peak holds some
  StepResult z3 = sample();
  z3.memory_at_peak.zero3_gathered = Bytes(0.25 * kGiB);
  CHECK(format_step_summary(z3).find("of comm_buffers, ZeRO-3 gathered parameters [GiB]: 0.25") != std::string::npos);
}

TEST_CASE("summary: the assumptions the result depends on, card values and loader defaults") {
  StepResult r = sample();
  r.assumptions.card = {{"node.cpu_adam_throughput", "7.3B", false}, {"node.aio_submit_latency", "5us", true}};
  r.assumptions.imports = {"training.seq_len not given: using the default 2048"};
  const nlohmann::json j = step_summary_json(r)["assumptions"];
  REQUIRE(j["card"].size() == 2);
  CHECK(j["card"][0] == nlohmann::json({{"key", "node.cpu_adam_throughput"}, {"value", "7.3B"}, {"from", "card"}}));
  CHECK(j["card"][1]["from"] == "default");
  CHECK(j["import"] == nlohmann::json::array({"training.seq_len not given: using the default 2048"}));
  const std::string text = format_step_summary(r);
  CHECK(text.find("assumptions this result depends on:") != std::string::npos);
  CHECK(text.find("node.cpu_adam_throughput = 7.3B (marked assumed in the card") != std::string::npos);
  CHECK(text.find("node.aio_submit_latency = 5us (key default, an assumption") != std::string::npos);
  CHECK(text.find("  training.seq_len not given: using the default 2048\n") != std::string::npos);

  const StepResult none = sample();  // nothing assumed: empty lists, no section in the table
  CHECK(step_summary_json(none)["assumptions"] ==
        nlohmann::json({{"card", nlohmann::json::array()}, {"import", nlohmann::json::array()}}));
  CHECK(format_step_summary(none).find("assumptions") == std::string::npos);
}
