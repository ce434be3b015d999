// Defaults that change the answer are said (issue 18, defect 8): a scenario
// without training.seq_len trains at the model's context length (HF
// max_position_embeddings / n_positions, card context_length), a seq_len past
// a learned position table is an error naming both, and every ds_config
// "auto" is resolved as the HF Trainer resolves it and logged as such.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "sim/import/deepspeed/ds_config.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/load/scenario_loader.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::has;

std::string hf(const std::string& name) { return std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/tests/data/hf/" + name; }

// A 8-GPU data-parallel scenario of MODEL with `training` extra keys.
Scenario on_8_gpus(const std::string& model, const std::string& training = "") {
  return test::scenario("model: " + model + "\ncluster: dgx-a100-80gb\ngpus: 8\ntraining: {global_batch: 8" + training +
                        "}\n");
}

bool said(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return has(l, part); });
}

}  // namespace

TEST_CASE("HF configs keep the context length: n_positions (GPT-2), max_position_embeddings (Llama)") {
  ModelSpec g = load_model(hf("gpt2.json"));
  CHECK(g.context_length == 1024);
  CHECK(g.context_source == "n_positions of gpt2.json");
  ModelSpec l = load_model(hf("llama-2-7b.json"));
  CHECK(l.context_length == 4096);
  CHECK(l.context_source == "max_position_embeddings of llama-2-7b.json");
  CHECK(load_model(hf("opt-175b.json")).context_length == 2048);  // not the 2050 rows of the table
  CHECK(load_model(hf("bloom-176b.json")).context_length == 0);   // ALiBi: BloomConfig gives none
}

TEST_CASE("model cards: context_length, defaulting to max_position for learned positions") {
  const std::string rope = "layers: 2\nhidden: 64\nheads: 4\nvocab: 100\nposition: rope\n";
  CHECK(load_model_card_string(rope, "r.yaml").context_length == 0);
  ModelSpec r = load_model_card_string(rope + "context_length: 8192\n", "r.yaml");
  CHECK(r.context_length == 8192);
  CHECK(r.context_source == "context_length of the model card");
  ModelSpec l = load_model_card_string("layers: 2\nhidden: 64\nheads: 4\nvocab: 100\nmax_position: 512\n", "l.yaml");
  CHECK(l.context_length == 512);
  CHECK(test::error_of([&] { load_model_card_string(rope + "context_length: 0\n", "r.yaml"); }) != "");
}

TEST_CASE("no training.seq_len: the model's context length, said") {
  Scenario g = on_8_gpus(hf("gpt2.json"));
  CHECK(g.training.seq_len == 1024);
  CHECK(said(g.imports.assumptions,
             "training.seq_len not given: using the model's context length 1024 (n_positions of gpt2.json)"));
  CHECK(g.resolved_texts.at("training.seq_len") == "1024");
  Scenario l = on_8_gpus(hf("llama-2-7b.json"));
  CHECK(l.training.seq_len == 4096);
  Scenario given = on_8_gpus(hf("llama-2-7b.json"), ", seq_len: 512");
  CHECK(given.training.seq_len == 512);
  CHECK(given.imports.assumptions.empty());
}

TEST_CASE("no training.seq_len and no context length: the key table's default, said") {
  Scenario b = on_8_gpus(hf("bloom-176b.json"));
  CHECK(b.training.seq_len == 2048);
  CHECK(said(b.imports.assumptions, "training.seq_len not given: using the default 2048"));
  CHECK(said(b.imports.assumptions, "gives no context length"));
}

TEST_CASE("a seq_len past a learned position table is an error naming both") {
  std::string e = test::error_of([&] { on_8_gpus(hf("gpt2.json"), ", seq_len: 2048"); });
  CHECK(has(e, "training.seq_len"));
  CHECK(has(e, "seq_len=2048 exceeds the 1024 learned positions"));
}

TEST_CASE("ds_config \"auto\" without scenario values: the HF Trainer's defaults, each said") {
  DsContext c;
  c.gpus = 16;
  c.hidden = 4096;
  c.micro_batch_given = false;  // the scenario gives neither the micro-batch
  c.precision_given = false;    // nor the precision
  auto r = parse_ds_config(R"({"train_batch_size": "auto", "train_micro_batch_size_per_gpu": "auto",
      "gradient_accumulation_steps": "auto", "gradient_clipping": "auto",
      "bf16": {"enabled": "auto"}, "fp16": {"enabled": "auto"},
      "zero_optimization": {"stage": 2, "reduce_bucket_size": "auto"}})",
                           "d.json", c);
  auto j = nlohmann::json::parse(r.resolved_json);
  CHECK(j["train_micro_batch_size_per_gpu"] == 8);  // TrainingArguments.per_device_train_batch_size
  CHECK(j["gradient_accumulation_steps"] == 1);     // TrainingArguments.gradient_accumulation_steps
  CHECK(j["train_batch_size"] == 8 * 16);
  CHECK(j["bf16"]["enabled"] == false);  // TrainingArguments.bf16 / fp16 default False: fp32
  CHECK(j["fp16"]["enabled"] == false);
  bool fp32 = false;
  for (const auto& s : r.settings)
    if (s.key == "training.precision" && s.value == "fp32") fp32 = true;
  CHECK(fp32);
  const auto& a = r.assumptions;
  CHECK(said(a,
             "ds_config train_micro_batch_size_per_gpu: auto -> 8 (HF Trainer default "
             "per_device_train_batch_size)"));
  CHECK(said(a, "ds_config gradient_accumulation_steps: auto -> 1 (HF Trainer default"));
  CHECK(said(a, "ds_config train_batch_size: auto -> 128"));
  CHECK(said(a, "ds_config bf16.enabled: auto -> false (HF Trainer default: no --bf16)"));
  CHECK(said(a, "ds_config fp16.enabled: auto -> false (HF Trainer default: no --fp16)"));
  CHECK(said(a, "ds_config gradient_clipping: auto -> 1.0"));
  CHECK(said(a, "ds_config zero_optimization.reduce_bucket_size: auto -> 16777216 (auto: hidden^2)"));
  CHECK(a.size() == 7);
}

TEST_CASE("ds_config \"auto\" with scenario values: those values, each said") {
  DsContext c;
  c.gpus = 16;
  c.micro_batch = 2;
  c.precision = "bf16";
  auto r = parse_ds_config(R"({"train_batch_size": 64, "train_micro_batch_size_per_gpu": "auto",
      "bf16": {"enabled": "auto"}})",
                           "d.json", c);
  auto j = nlohmann::json::parse(r.resolved_json);
  CHECK(j["train_micro_batch_size_per_gpu"] == 2);
  CHECK(j["bf16"]["enabled"] == true);
  CHECK(said(r.assumptions, "ds_config train_micro_batch_size_per_gpu: auto -> 2 (training.micro_batch)"));
  CHECK(said(r.assumptions, "ds_config bf16.enabled: auto -> true (training.precision bf16)"));
  CHECK(r.assumptions.size() == 2);  // train_batch_size was given, not "auto"
}
