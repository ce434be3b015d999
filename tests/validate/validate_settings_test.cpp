// Validation rows that state their launch (issue 19): the runs CSV's optional
// `settings` column (launch_settings.hpp stated_settings()), applied over the
// source's defaults as scenario keys, its errors at file, line, column
// `settings` and key, and reported per row; the two runs files that use it
// (Megatron-LM's H100 BF16 weak scaling, torchtitan's A100 FSDP runs).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "sim/validate/row_scenario.hpp"
#include "sim/validate/validation.hpp"
#include "sim/validate/validation_report.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;
using trainsim::test::error_of;
using trainsim::test::has;
using trainsim::test::zoo;

namespace {

const char* kHeader =
    "id,source,model,layers,hidden,heads,kv_heads,ffn,vocab,mlp,seq_len,gpu,cluster,gpus,precision,tp,pp,dp,cp,"
    "sequence_parallel,vp,zero_stage,micro_batch,global_batch,recompute,step_time_s,step_time_kind,"
    "reported_tflops_per_gpu,peak_memory_gb,oom,notes,settings\n";

// A small GPT on one DGX A100 node, TP 2 x DP 4, with `notes` and `settings` cells.
std::string row(const std::string& id, const std::string& notes, const std::string& settings) {
  return id + ",test,GPT small,12,1024,16,16,4096,51200,gelu,1024,a100-sxm4-80gb,dgx-a100-80gb,8,bf16," +
         "2,1,4,1,1,1,0,1,8,full,1.0,,,,0,\"" + notes + "\",\"" + settings + "\"\n";
}

RunsTable table_of(const std::string& rows) { return parse_runs_csv(std::string(kHeader) + rows, "s.csv"); }

const LaunchSetting* setting(const std::vector<LaunchSetting>& v, const std::string& key) {
  auto it = std::find_if(v.begin(), v.end(), [&](const LaunchSetting& l) { return l.key == key; });
  return it == v.end() ? nullptr : &*it;
}

const RowReport& report_named(const ValidationResult& v, const std::string& id) {
  auto it = std::find_if(v.rows.begin(), v.rows.end(), [&](const RowReport& r) { return r.id == id; });
  REQUIRE_MESSAGE(it != v.rows.end(), "no report ", id);
  return *it;
}

}  // namespace

TEST_CASE("settings column: pairs are parsed, trimmed, and replace the source's defaults") {
  // The notes imply FlashAttention off (launch_settings.cpp `other`); the row states it on.
  RunsTable t = table_of(
      row("r", "without flash attention", " training.flash_attention = true ; training.tp_comm_overlap=true;;"));
  const RunRow& r = t.rows.at(0);
  std::vector<LaunchSetting> stated = stated_settings(r);
  REQUIRE(stated.size() == 2);
  CHECK(stated[0].key == "training.flash_attention");
  CHECK(stated[0].value == "true");
  CHECK(stated[1].key == "training.tp_comm_overlap");
  const RowPlan plan = plan_row(r, zoo());
  CHECK(setting(plan.launch, "training.flash_attention") == nullptr);  // the default gave way
  REQUIRE(setting(launch_settings(r), "training.flash_attention") != nullptr);
  CHECK(setting(launch_settings(r), "training.flash_attention")->value == "false");
  const Scenario s = row_scenario(r, plan, {}, zoo());
  CHECK(s.training.flash_attention);
  CHECK(s.training.overlap.tp_comm);
  // The same row without the settings: the source's default and the key's default.
  const RunsTable plain_table = table_of(row("p", "without flash attention", ""));
  const RunRow& plain = plain_table.rows.at(0);
  CHECK(stated_settings(plain).empty());
  const Scenario d = row_scenario(plain, plan_row(plain, zoo()), {}, zoo());
  CHECK_FALSE(d.training.flash_attention);
  CHECK_FALSE(d.training.overlap.tp_comm);
}

TEST_CASE("settings column: a file without it reads as before") {
  const std::string header =
      "id,source,model,layers,hidden,heads,kv_heads,ffn,vocab,mlp,seq_len,gpu,cluster,gpus,precision,tp,pp,dp,cp,"
      "sequence_parallel,vp,zero_stage,micro_batch,global_batch,recompute,step_time_s,step_time_kind,"
      "reported_tflops_per_gpu,peak_memory_gb,oom,notes\n";
  RunsTable t = parse_runs_csv(header +
                                   "r,test,GPT small,12,1024,16,16,4096,51200,gelu,1024,a100-sxm4-80gb,dgx-a100-80gb,"
                                   "8,bf16,2,1,4,1,1,1,0,1,8,full,1.0,,,,0,\n",
                               "old.csv");
  CHECK(stated_settings(t.rows.at(0)).empty());
  CHECK(plan_row(t.rows.at(0), zoo()).settings.empty());
}

TEST_CASE("settings column: bad pairs and keys name the file, the line, the column and the key") {
  RunsTable t = table_of(row("ok", "", "") + row("typo", "", "training.compil=true") +
                         row("no_eq", "", "training.compile") + row("twice", "", "parallel.tp=2;parallel.tp=2") +
                         row("section", "", "training=1") + row("value", "", "training.compile=maybe"));
  std::string e = error_of([&] { stated_settings(t.rows.at(1)); });
  CHECK(has(e, "s.csv:3: settings: training.compil: unknown scenario key; did you mean 'training.compile'?"));
  CHECK(has(error_of([&] { stated_settings(t.rows.at(2)); }),
            "s.csv:4: settings: 'training.compile' is not a dotted.key=value pair"));
  CHECK(has(error_of([&] { stated_settings(t.rows.at(3)); }), "s.csv:5: settings: parallel.tp: stated twice"));
  CHECK(has(error_of([&] { stated_settings(t.rows.at(4)); }), "s.csv:6: settings: training: is a section"));
  // A value is checked by the scenario loader, with its message, at the settings column.
  const RunRow& bad = t.rows.at(5);
  e = error_of([&] { row_scenario(bad, plan_row(bad, zoo()), {}, zoo()); });
  CHECK(has(e, "s.csv:7: settings: training.compile: "));
  // In `validate` the rows fail with those reasons and the others run.
  ValidationResult v = validate_runs({t}, zoo(), {});
  CHECK_FALSE(report_named(v, "ok").failed);
  CHECK(report_named(v, "typo").reason.find("settings: training.compil: unknown scenario key") == 0);
  CHECK(report_named(v, "value").reason.find("settings: training.compile: ") == 0);
  CHECK(v.summary.rows_failed == 5);
}

TEST_CASE("settings column: reported per row in the text, Markdown and JSON reports") {
  RunsTable t = table_of(row("stated", "", "training.tp_comm_overlap=true;training.overlap_grad_reduce=false") +
                         row("silent", "", "") + row("overlap", "", "training.tp_comm_overlap=true"));
  ValidationResult v = validate_runs({t}, zoo(), {});
  const RowReport& r = report_named(v, "stated");
  REQUIRE_FALSE(r.failed);
  REQUIRE(r.settings.size() == 2);
  CHECK(r.settings[1].key == "training.overlap_grad_reduce");
  CHECK(r.settings[1].value == "false");
  CHECK(report_named(v, "silent").settings.empty());
  const std::string text = format_validation_text(v);
  CHECK(has(text,
            "launch settings stated by the rows (settings column):\n"
            "  stated: training.tp_comm_overlap=true; training.overlap_grad_reduce=false\n"));
  CHECK_FALSE(has(text, "silent: "));
  CHECK(has(format_validation_markdown(v),
            "- stated: training.tp_comm_overlap=true; training.overlap_grad_reduce=false\n"));
  const nlohmann::json j = validation_json(v);
  REQUIRE(j["rows"][0]["settings"].size() == 2);
  CHECK(j["rows"][0]["settings"][0]["key"] == "training.tp_comm_overlap");
  CHECK(j["rows"][0]["settings"][0]["value"] == "true");
  CHECK(j["rows"][1]["settings"].empty());
  // The stated settings change the prediction: overlapping the TP collectives is faster.
  REQUIRE(report_named(v, "silent").predicted_step_time_s.has_value());
  REQUIRE(report_named(v, "overlap").predicted_step_time_s.has_value());
  CHECK(*report_named(v, "overlap").predicted_step_time_s < *report_named(v, "silent").predicted_step_time_s);
}
