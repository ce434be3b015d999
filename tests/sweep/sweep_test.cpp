// sim/sweep: sweep-file parsing and its errors, `search: all` enumeration,
// the Pareto front, the CSV (threads, shards and merge give the same bytes),
// and the grouped reasons of the report.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/load/zoo.hpp"
#include "sim/model/stage_split.hpp"
#include "sim/spec/framework_profile.hpp"
#include "sim/sweep/enumerate.hpp"
#include "sim/sweep/pareto.hpp"
#include "sim/sweep/sweep_run.hpp"
#include "sim/sweep/sweep_summary.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::zoo;

const char* kSmall = R"(model: llama-2-7b
cluster: dgx-a100-80gb
nodes: 1
parallel:
  tp: [1, 2, 3, 4]
  zero_stage: [0, 1]
training:
  seq_len: 2048
  global_batch: 64
  micro_batch: {from: 1, to: 4, times: 2}
  recompute: selective
)";

// The ConfigError message of loading `yaml`, or "" when it loads.
std::string load_error(const std::string& yaml) {
  try {
    load_sweep_string(yaml, "bad.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("sweep file: lists, ranges and single values") {
  SweepSpec s = load_sweep_string(kSmall, "small.yaml");
  REQUIRE(s.axes.size() == 3);
  CHECK(s.axes[0].key == "parallel.tp");
  CHECK(s.axes[0].values == std::vector<std::string>{"1", "2", "3", "4"});
  CHECK(s.axes[2].key == "training.micro_batch");
  CHECK(s.axes[2].values == std::vector<std::string>{"1", "2", "4"});
  CHECK(s.values.at("training.recompute") == "selective");
  CHECK(s.lines.at("parallel.zero_stage") == 6);
  CHECK(s.mode == SweepMode::grid);
  SweepSpec r = load_sweep_string("model: x\ntraining: {micro_batch: {from: 2, to: 8, step: 3}}\n", "r.yaml");
  CHECK(r.axes[0].values == std::vector<std::string>{"2", "5", "8"});
  CHECK(sweep_points(s, zoo()).size() == 24);
}

TEST_CASE("sweep file: errors name the file, line and key and say what is valid") {
  CHECK(load_error("model: a\nparallel:\n  tpp: [1, 2]\n")
            .find("bad.yaml:3: parallel.tpp: unknown key in this sweep "
                  "file; did you mean 'parallel.tp'") == 0);
  CHECK(load_error("parallel:\n  tp: [1, two]\n").find("bad.yaml:2: parallel.tp: 'two' is not an integer") == 0);
  CHECK(load_error("training:\n  recompute: [none, some]\n")
            .find("bad.yaml:2: training.recompute: 'some' is not valid") == 0);
  CHECK(load_error("parallel: {tp: {from: 8, to: 1, step: 1}}\n").find("range from 8 is above to 1") !=
        std::string::npos);
  CHECK(load_error("parallel: {tp: {from: 1, to: 8}}\n").find("exactly one of step or times") != std::string::npos);
  CHECK(load_error("parallel: {tp: {from: 1, to: 8, by: 2}}\n").find("found 'by'") != std::string::npos);
  CHECK(load_error("parallel: {tp: auto}\n").find("'auto' is valid for parallel.vp only") != std::string::npos);
  CHECK(load_error("search: some\n").find("bad.yaml:1: search: 'some' is not valid; expected one of grid|all") == 0);
  CHECK(load_error("search_options: {max_micro_batch: 0}\n").find("bad.yaml:1: search_options.max_micro_batch") == 0);
  CHECK(load_error("parallel: {tp: [1, 1]}\n").find("'1' is listed twice") != std::string::npos);
  CHECK(load_error("parallel: {tp: []}\n").find("expected a value, a list") != std::string::npos);
  SweepSpec bad_model =
      load_sweep_string("model: llama-9\ncluster: dgx-a100-80gb\ntraining: {global_batch: 8}\n", "m.yaml");
  try {
    resolve_sweep_base(bad_model, zoo());
    FAIL("an unknown model must be an error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("m.yaml:1: model:") == 0);
  }
}

TEST_CASE("vp: auto expands to every vp dividing the layers of a stage") {
  CHECK(interleave_factors(32, 1) == std::vector<int>{1});
  CHECK(interleave_factors(32, 4) == std::vector<int>{1, 2, 4, 8});
  CHECK(interleave_factors(30, 4) == std::vector<int>{1});
  SweepSpec s = load_sweep_string(
      "model: llama-2-7b\ncluster: dgx-a100-80gb\nnodes: 1\n"
      "parallel: {pp: [1, 4], vp: auto}\ntraining: {global_batch: 64}\n",
      "vp.yaml");
  std::vector<PlanPoint> points = sweep_points(s, zoo());
  REQUIRE(points.size() == 5);  // pp 1: vp 1; pp 4: vp 1, 2, 4, 8
  CHECK(points[4].label() == "parallel.pp=4 parallel.vp=8");
}

TEST_CASE("vp candidates count the embedding and loss slots with parallel.embedding_in_pp_split") {
  // BLOOM-176B: 70 layers; with the split, 72 items over pp 12: 6 per stage, vp 2, 3, 6 (the layout
  // check's rule, sim/config/layout_check.cpp); every point the grid expands to is a valid scenario.
  SweepSpec s = load_sweep_string(
      "model: bloom-176b\ncluster: jeanzay-a100-80gb\nnodes: 48\n"
      "parallel: {tp: 4, pp: 12, vp: auto, embedding_in_pp_split: true}\n"
      "training: {global_batch: 1536, micro_batch: 2}\n",
      "vp.yaml");
  std::vector<PlanPoint> points = sweep_points(s, zoo());
  std::vector<std::string> vps;
  for (const PlanPoint& p : points) vps.push_back(p.settings.back().second);
  CHECK(vps == std::vector<std::string>{"1", "2", "3", "6"});
  const std::string base =
      "model: bloom-176b\ncluster: jeanzay-a100-80gb\nnodes: 48\n"
      "parallel: {tp: 4, pp: 12, embedding_in_pp_split: true}\n"
      "training: {global_batch: 1536, micro_batch: 2}\n";
  for (const PlanPoint& p : points) CHECK_NOTHROW(load_scenario_string(base, "p.yaml", p.overrides(), zoo()));
  SweepBase b;
  b.model.layers = 70, b.pp_layers = 72, b.model.heads = b.model.kv_heads = 112, b.model.ffn = 57344;
  b.gpus = 384, b.gpus_per_node = 8, b.global_batch = 1536, b.seq_len = 2048;
  EnumerateOptions o;
  o.max_micro_batch = 2;
  std::set<int> found;
  for (const auto& l : enumerate_layouts(b, o, {{"parallel.tp", {"4"}}, {"parallel.pp", {"12"}}}, nullptr))
    found.insert(std::stoi(l[3].second));
  CHECK(found == std::set<int>{1, 2, 3, 6});
}

TEST_CASE("search: all follows the base framework's sharding x pipeline rule") {
  SweepBase b;
  b.model.layers = b.pp_layers = 32, b.model.heads = 32, b.model.kv_heads = 8, b.model.ffn = 14336;
  b.gpus = 16, b.gpus_per_node = 8, b.global_batch = 64, b.seq_len = 4096;
  EnumerateOptions o;
  o.max_micro_batch = 1;
  const std::map<std::string, std::vector<std::string>> given{{"parallel.tp", {"8"}}, {"training.recompute", {"full"}}};
  // torchtitan: FSDP (ZeRO-3) with PP exists.
  const FrameworkProfile* titan = select_profile(Framework::torchtitan, "").profile;
  b.pipeline_rule = titan->rule, b.framework = profile_label(*titan);
  bool zero3_pp = false;
  for (const auto& l : enumerate_layouts(b, o, given, nullptr))
    zero3_pp = zero3_pp || (l[1].second != "1" && l[5].second == "3");
  CHECK(zero3_pp);
  // hf-trainer: no layout with pp > 1, counted under the framework's reason.
  const FrameworkProfile* hf = select_profile(Framework::hf_trainer, "").profile;
  b.pipeline_rule = hf->rule, b.framework = profile_label(*hf);
  std::map<std::string, std::size_t> skipped;
  const auto layouts = enumerate_layouts(b, o, given, &skipped);
  REQUIRE_FALSE(layouts.empty());
  for (const auto& l : layouts) CHECK(l[1].second == "1");
  CHECK(skipped.at("parallel.pp: no pipeline parallelism (framework profile hf-trainer (all versions))") > 0);
}

TEST_CASE("search: all enumerates valid layouts only and counts what it leaves out") {
  SweepBase b;
  b.model.layers = b.pp_layers = 32, b.model.heads = 32, b.model.kv_heads = 8, b.model.ffn = 14336;
  b.gpus = 16, b.gpus_per_node = 8, b.global_batch = 64, b.seq_len = 4096;
  EnumerateOptions o;
  o.max_micro_batch = 4;
  std::map<std::string, std::size_t> skipped;
  auto layouts = enumerate_layouts(b, o, {}, &skipped);
  REQUIRE_FALSE(layouts.empty());
  for (const auto& l : layouts) {
    REQUIRE(l.size() + 1 == enumerated_keys().size());  // all but parallel.ep: a dense model
    int tp = std::stoi(l[0].second), pp = std::stoi(l[1].second), vp = std::stoi(l[3].second);
    int zero = std::stoi(l[5].second), mb = std::stoi(l[6].second);
    CHECK(tp <= 8);  // tp_across_nodes: false
    CHECK(b.model.kv_heads % tp == 0);
    CHECK(b.model.layers % pp == 0);
    CHECK(b.gpus % (tp * pp) == 0);
    int dp = b.gpus / (tp * pp);
    CHECK((b.global_batch / dp) % mb == 0);
    CHECK((zero < 2 || pp == 1));
    if (vp > 1) CHECK(((b.global_batch / dp / mb) % pp == 0 && (b.model.layers / pp) % vp == 0));
    if (l[4].second == "true") CHECK(tp > 1);
  }
  CHECK(skipped.at("parallel.zero_stage: ZeRO stage > 1 with pp > 1 (framework profile megatron-lm (all versions))") >
        0);
  b.gpus_per_node = 4;
  CHECK(enumerate_layouts(b, o, {{"parallel.tp", {"8"}}}, nullptr).empty());  // larger than a node
  o.tp_across_nodes = true;
  auto wider = enumerate_layouts(b, o, {{"parallel.tp", {"8"}}, {"training.recompute", {"full"}}}, nullptr);
  REQUIRE_FALSE(wider.empty());
  for (const auto& l : wider) CHECK((l[0].second == "8" && l[7].second == "full"));
}

TEST_CASE("pareto_front: no point on the front is beaten on both axes; ties stay together") {
  std::vector<ParetoPoint> p = {{10, 50, true}, {12, 40, true}, {11, 60, true}, {12, 40, true},
                                {9, 90, false}, {15, 30, true}, {15, 35, true}};
  std::vector<bool> f = pareto_front(p);
  CHECK(f == std::vector<bool>{true, true, false, true, false, true, false});
}

TEST_CASE("sweep CSV: the same bytes for 1 and 3 threads, and for 4 shards merged") {
  SweepSpec s = load_sweep_string(kSmall, "small.yaml");
  SweepRunOptions one;
  SweepRun a = run_sweep(s, zoo(), one);
  CHECK(a.total_points == 24);
  std::string text = csv_text(a.table);
  SweepRunOptions three;
  three.threads = 3;
  CHECK(csv_text(run_sweep(s, zoo(), three).table) == text);
  std::vector<CsvTable> parts;
  std::vector<std::string> names;
  for (int k = 4; k >= 1; --k) {  // any order
    SweepRunOptions o;
    o.shard = k, o.shards = 4, o.threads = 2;
    SweepRun part = run_sweep(s, zoo(), o);
    CHECK(part.table.rows.size() == 6);
    parts.push_back(parse_csv(csv_text(part.table), "shard" + std::to_string(k) + ".csv"));
    names.push_back("shard" + std::to_string(k) + ".csv");
  }
  CHECK(csv_text(merge_tables(parts, names)) == text);
  parts.pop_back();
  names.pop_back();
  CHECK_THROWS_AS(merge_tables(parts, names), ConfigError);
}

TEST_CASE("sweep report: counts by status, reasons grouped without numbers, fastest first") {
  SweepRun run = run_sweep(load_sweep_string(kSmall, "small.yaml"), zoo());
  SweepCounts c = count_statuses(run.table);
  CHECK(c.points == 24);
  CHECK(c.invalid == 6);  // tp = 3
  CHECK(c.pruned_oom > 0);
  CHECK(c.fits > 0);
  CHECK(c.invalid + c.pruned_oom + c.simulated == c.points);
  std::vector<ReasonCount> reasons = group_reasons(run.table);
  REQUIRE(reasons.size() == 2);
  CHECK(reasons[0].count == 6);
  CHECK(reasons[0].reason.find("tp x pp x cp = N does not divide the N GPUs") != std::string::npos);
  std::vector<std::size_t> top = ranked_rows(run.table, 3);
  REQUIRE(top.size() == 3);
  const std::size_t t = run.table.column("step_time_s");
  CHECK(std::stod(run.table.rows[top[0]][t]) <= std::stod(run.table.rows[top[1]][t]));
  CHECK(run.table.rows[pareto_rows(run.table).front()][0] == run.table.rows[top[0]][0]);  // fastest is on the front
  std::string text = format_sweep_report(run.table, 3);
  CHECK(text.find("24 points") == 0);
  CHECK(sweep_report_json(run.table, 3)["top"].size() == 3);
  std::string svg = render_svg(sweep_plot(run.table, "small"));
  CHECK(svg.find("<svg") == 0);
  CHECK(svg == render_svg(sweep_plot(run.table, "small")));
}
