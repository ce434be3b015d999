// Readable outputs (issue 18, defect 11): trace.json names the layer and
// operation of every slice (ZeRO-3 gathers, TP collectives, compute) with
// FLOPs, bytes and algorithm in args and CPU-Adam on a host thread; pipeline
// flow arrows bind in Perfetto; the sweep SVG keeps its points readable when
// one is an outlier.
//
// Perfetto's JSON importer (src/trace_processor/importers/json,
// FlowTracker::Begin/End) binds a flow "s", and an "f" with "bp":"e", to the
// slice open on that thread at the event's timestamp, and drops the arrow
// (stat flow_no_enclosing_slice) when none is open. So every flow event must lie
// strictly inside an "X" slice of its own pid and tid; a boundary is not enough,
// as the order of events with equal timestamps decides which slice is open.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "sim/report/chrome_trace.hpp"
#include "sim/report/svg_plot.hpp"
#include "sim/workload/step_sim.hpp"
#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

// 4 pipeline stages x 2 TP on one node, interleaved (2 chunks per stage), 8 micro-batches.
const char* kPipeline = R"(model: megatron-gpt-1.7b
cluster: dgx-a100-80gb
gpus: 8
parallel: {tp: 2, pp: 4, vp: 2, schedule: interleaved-1f1b}
training: {seq_len: 2048, micro_batch: 1, global_batch: 8}
)";

struct Slice {
  double ts, end;
  nlohmann::json args;
};

// The "X" slices of each (pid, tid).
std::map<std::pair<int, int>, std::vector<Slice>> slices_of(const nlohmann::json& t) {
  std::map<std::pair<int, int>, std::vector<Slice>> out;
  for (const auto& e : t["traceEvents"])
    if (e["ph"] == "X")
      out[{e["pid"].get<int>(), e["tid"].get<int>()}].push_back(
          {e["ts"].get<double>(), e["ts"].get<double>() + e["dur"].get<double>(), e["args"]});
  return out;
}

// The slice of `track` that holds `ts` strictly inside, or null.
const Slice* enclosing(const std::map<std::pair<int, int>, std::vector<Slice>>& tracks, const nlohmann::json& e) {
  auto it = tracks.find({e["pid"].get<int>(), e["tid"].get<int>()});
  if (it == tracks.end()) return nullptr;
  const double ts = e["ts"].get<double>();
  for (const Slice& s : it->second)
    if (s.ts < ts && ts < s.end) return &s;
  return nullptr;
}

}  // namespace

TEST_CASE("trace.json: every pipeline flow starts and ends strictly inside a slice of its thread") {
  StepOptions o;
  o.record_timeline = true;
  const StepResult r = simulate_step(test::scenario(kPipeline), o);
  REQUIRE(!r.flows.empty());
  const nlohmann::json t = chrome_trace(r);
  const auto tracks = slices_of(t);
  std::map<int, const Slice*> starts, ends;  // by flow id
  int lanes_ok = 0;
  for (const auto& e : t["traceEvents"]) {
    if (e["ph"] != "s" && e["ph"] != "f") continue;
    const Slice* s = enclosing(tracks, e);
    INFO("flow " << e.dump());
    REQUIRE(s != nullptr);
    const bool start = e["ph"] == "s";
    // The start on the sender's pp_p2p thread, the end (bound to the enclosing slice) on the receiver's compute thread.
    lanes_ok += e["tid"].get<int>() == static_cast<int>(start ? Lane::pp_p2p : Lane::compute);
    if (!start) CHECK(e["bp"] == "e");
    (start ? starts : ends)[e["id"].get<int>()] = s;
  }
  CHECK(lanes_ok == static_cast<int>(2 * r.flows.size()));
  CHECK(starts.size() == r.flows.size());  // no arrow left out
  REQUIRE(ends.size() == r.flows.size());
  for (const auto& [id, send] : starts) {
    const Slice* recv = ends.at(id);
    CHECK(send->end <= recv->end);  // the receiving work ends after the send started
    // The arrow ends in the receiving pass: the micro-batch that was sent.
    CHECK(send->args.value("micro_batch", -1) == recv->args.value("micro_batch", -2));
  }
}

namespace {

// DeepSpeed ZeRO-3 with CPU-Adam on one DGX A100 node (24 layers).
const char* kZero3 = R"(model: megatron-gpt-1.7b
cluster: dgx-a100-80gb
gpus: 8
parallel: {zero_stage: 3}
training: {seq_len: 2048, micro_batch: 1, global_batch: 16}
memory: {convention: deepspeed}
offload: {optimizer: cpu}
)";

nlohmann::json traced(const char* yaml) {
  StepOptions o;
  o.record_timeline = true;
  return chrome_trace(simulate_step(test::scenario(yaml), o));
}

std::vector<nlohmann::json> spans_on(const nlohmann::json& t, int pid, Lane lane) {
  std::vector<nlohmann::json> out;
  for (const auto& e : t["traceEvents"])
    if (e["ph"] == "X" && e["pid"] == pid && e["tid"] == static_cast<int>(lane)) out.push_back(e);
  return out;
}

// "405 MB" -> 4.05e8.
double size_of(const std::string& number, const std::string& unit) {
  const std::map<std::string, double> scale = {{"B", 1}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}};
  return std::stod(number) * scale.at(unit);
}

}  // namespace

TEST_CASE("trace.json: ZeRO-3 gathers are named by layer, size and algorithm; compute by layer and block") {
  const nlohmann::json t = traced(kZero3);
  const int layers = 24;
  // dp_comm: every gather says which layer's parameters it brings, how big and how.
  const std::regex gather("all_gather L([0-9]+) params ([0-9.]+) (B|KB|MB|GB|TB) ([a-z_]+)");
  std::vector<int> gathered(layers, 0);
  for (const auto& e : spans_on(t, 0, Lane::dp_comm)) {
    const std::string name = e["name"];
    CHECK_MESSAGE(name.rfind("F mb", 0) != 0, name);  // not named after the pass any more
    CHECK_MESSAGE(name.rfind("B mb", 0) != 0, name);
    std::smatch m;
    if (!std::regex_match(name, m, gather)) continue;
    const int layer = std::stoi(m[1]);
    REQUIRE(layer < layers);
    ++gathered[layer];
    const double bytes = e["args"]["bytes"].get<double>();
    CHECK(size_of(m[2], m[3]) == doctest::Approx(bytes).epsilon(0.005));  // three significant digits
    CHECK(e["args"]["algorithm"] == m[4].str());
    CHECK(e["args"].contains("pass"));
  }
  // Each layer gathered in the forward and the backward of each of the 2 micro-batches at most.
  for (int l = 0; l < layers; ++l) CHECK_MESSAGE(gathered[l] >= 1, "layer " << l);

  // compute: "L<n> attn fwd" and "L<n> mlp fwd" of every layer, with FLOPs, in micro-batch 0.
  std::map<std::string, double> flops;
  for (const auto& e : spans_on(t, 0, Lane::compute)) {
    const std::string name = e["name"];
    CHECK_MESSAGE(name.rfind("F mb", 0) != 0, name);
    CHECK_MESSAGE(name != "cpu adam", "CPU-Adam is on the host thread");
    if (e["args"].value("pass", "") == "F mb0") flops[name] = e["args"].value("flops", 0.0);
  }
  for (int l = 0; l < layers; ++l)
    for (const char* block : {" attn fwd", " mlp fwd"}) {
      const std::string name = "L" + std::to_string(l) + block;
      REQUIRE_MESSAGE(flops.count(name) == 1, name);
      CHECK(flops.at(name) > 0);
    }
  CHECK(flops.count("embedding fwd") == 1);
}

TEST_CASE("trace.json: CPU-Adam runs on the host thread") {
  const nlohmann::json t = traced(kZero3);
  int adam = 0;
  for (const auto& e : t["traceEvents"])
    if (e["ph"] == "X" && e["name"] == "cpu adam") {
      ++adam;
      CHECK(e["tid"] == static_cast<int>(Lane::host));
      CHECK(e["cat"] == "optimizer");
    }
  CHECK(adam > 0);
  bool named = false;
  for (const auto& e : t["traceEvents"])
    if (e["ph"] == "M" && e["name"] == "thread_name" && e["tid"] == static_cast<int>(Lane::host))
      named = e["args"]["name"] == "host";
  CHECK(named);
}

TEST_CASE("trace.json: TP collectives name their layer, block, size and algorithm") {
  const nlohmann::json t = traced(kPipeline);
  const std::regex tp("(all_reduce|all_gather|reduce_scatter) L([0-9]+) (attn|mlp) ([0-9.]+) (B|KB|MB|GB) ([a-z_]+)");
  int named = 0;
  const auto spans = spans_on(t, 0, Lane::tp_comm);
  REQUIRE(!spans.empty());
  for (const auto& e : spans) {
    const std::string name = e["name"];
    std::smatch m;
    if (!std::regex_match(name, m, tp)) continue;
    ++named;
    // 24 layers over 4 stages x 2 chunks, 3 per virtual stage: stage 0 runs
    // virtual stages 0 and 4, layers 0-2 and 12-14.
    const int layer = std::stoi(m[2]);
    CHECK(((layer >= 0 && layer <= 2) || (layer >= 12 && layer <= 14)));
    CHECK(e["args"]["algorithm"] == m[6].str());
    CHECK(size_of(m[4], m[5]) == doctest::Approx(e["args"]["bytes"].get<double>()).epsilon(0.005));
  }
  CHECK(named > 0);
  // The rest: Megatron's all-gather of the received activation pieces (scatter/gather p2p).
  const std::regex recv("all_gather p2p recv ([0-9.]+) (B|KB|MB|GB) ([a-z_]+)");
  for (const auto& e : spans) {
    const std::string name = e["name"];
    CHECK_MESSAGE((std::regex_match(name, tp) || std::regex_match(name, recv)), name);
  }
}

namespace {

// The pixel y of each circle with a tooltip, by tooltip.
std::map<std::string, double> circle_y(const std::string& svg) {
  std::map<std::string, double> out;
  const std::regex re("<circle cx=\"[0-9.]+\" cy=\"([0-9.]+)\" r=\"3\"[^>]*><title>([^<]*)</title>");
  for (std::sregex_iterator it(svg.begin(), svg.end(), re), end; it != end; ++it) out[(*it)[2]] = std::stod((*it)[1]);
  return out;
}

}  // namespace

TEST_CASE("sweep SVG: a 100x slower plan does not flatten the others (log step-time axis)") {
  ScatterPlot p;
  p.title = "m on c, 8 GPUs";
  p.x_limit = 80;
  p.series_name = "tp";
  p.series = {"tp 1", "tp 2"};
  p.points = {{40, 1.0, true, true, "a", 0},
              {50, 1.2, false, true, "b", 1},
              {60, 1.44, false, true, "c", 1},
              {30, 144, false, true, "slow", 0}};
  const auto y = circle_y(render_svg(p));
  REQUIRE(y.size() == 4);
  // Log scale: equal ratios are equal distances (1 -> 1.2 -> 1.44), and each is
  // a visible step (on a linear axis to 144 they would be 0.06 px apart).
  CHECK(y.at("a") - y.at("b") == doctest::Approx(y.at("b") - y.at("c")).epsilon(0.02));
  CHECK(y.at("a") - y.at("b") > 10);
  CHECK(y.at("slow") < y.at("c"));  // slower is higher, within the plot
  CHECK(y.at("slow") >= 50 - 0.1);
}

TEST_CASE("sweep SVG: a plan far over memory is drawn off scale, not squeezing the rest") {
  ScatterPlot p;
  p.title = "m on c, 8 GPUs";
  p.x_limit = 80;
  p.points = {{40, 1.0, true, true, "a", 0}, {70, 1.1, false, true, "b", 0}, {900, 0.9, false, false, "huge", 0}};
  const std::string svg = render_svg(p);
  CHECK(svg.find("class=\"off-scale\"") != std::string::npos);
  CHECK(svg.find("huge (off scale: 900 GiB)") != std::string::npos);
  // The fitting points keep the width: 70 GiB is well right of the middle of the plot.
  const std::regex re("<circle cx=\"([0-9.]+)\" cy=\"[0-9.]+\" r=\"3\"[^>]*><title>b</title>");
  std::smatch m;
  REQUIRE(std::regex_search(svg, m, re));
  CHECK(std::stod(m[1]) > 80 + (960 - 80 - 190) / 2.0);
}

TEST_CASE("sweep SVG: title, legend with one swatch per series and the markers") {
  ScatterPlot p;
  p.title = "llama-2-7b on dgx-a100-80gb, 8 GPUs";
  p.series_name = "zero_stage";
  p.series = {"zero_stage 0", "zero_stage 1"};
  p.points = {{40, 1.0, false, true, "a", 0}, {50, 1.2, false, false, "b", 1}};
  const std::string svg = render_svg(p);
  CHECK(svg.find(">llama-2-7b on dgx-a100-80gb, 8 GPUs</text>") != std::string::npos);
  for (const char* s : {">colour: zero_stage<", ">zero_stage 0<", ">zero_stage 1<", ">fits memory<", ">over memory<",
                        ">Pareto front<", ">GPU memory<", ">peak off scale<"})
    CHECK_MESSAGE(svg.find(s) != std::string::npos, s);
  // The two series have different colours, and each point has its series' colour.
  CHECK(svg.find("fill=\"#1f77b4\" stroke=\"#1f77b4\"><title>a<") != std::string::npos);
  CHECK(svg.find("fill=\"none\" stroke=\"#ff7f0e\"><title>b<") != std::string::npos);  // over memory: hollow
}
