// HF PEFT adapter_config.json (sim/import/hf/peft_config.hpp): LoraConfig's
// r, target_modules and lora_dropout become the training.* LoRA keys, with
// the file and line in every error and the keys' own bounds; what does not
// affect time or memory is listed as ignored.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/import/hf/peft_config.hpp"
#include "sim/load/scenario_loader.hpp"
#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::error_of;
using test::has;

// What PeftModel.save_pretrained writes for MLPerf-style LoRA on Llama (an excerpt).
const char* kLlama = R"({
  "base_model_name_or_path": "meta-llama/Llama-2-70b-hf",
  "peft_type": "LORA",
  "task_type": "CAUSAL_LM",
  "r": 16,
  "lora_alpha": 32,
  "lora_dropout": 0.1,
  "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj"],
  "bias": "none"
})";

const char* kBase = R"(model: megatron-gpt-1.7b
cluster: dgx-a100-80gb
gpus: 8
training: {seq_len: 2048, micro_batch: 1, global_batch: 8}
)";

std::string value_of(const ImportResult& r, const std::string& key) {
  for (const auto& s : r.settings)
    if (s.key == key) return s.value;
  return "(unset)";
}

std::string write(const std::string& name, const std::string& text) {
  const std::filesystem::path p = std::filesystem::temp_directory_path() / ("trainsim_peft_" + name);
  std::ofstream(p) << text;
  return p.string();
}

Scenario load_with(const std::string& path, const std::vector<std::string>& sets = {}) {
  ImportOptions o;
  o.peft_config = path;
  return load_scenario_string(kBase, "peft.yaml", sets, test::zoo(), o);
}

}  // namespace

TEST_CASE("adapter_config.json: r, target_modules and lora_dropout as the LoRA keys") {
  const ImportResult r = parse_peft_config(kLlama, "adapter_config.json");
  CHECK(value_of(r, "training.peft") == "lora");
  CHECK(value_of(r, "training.lora_rank") == "16");
  CHECK(value_of(r, "training.lora_targets") == "q_proj,k_proj,v_proj,o_proj");
  CHECK(value_of(r, "training.lora_dropout") == "0.1");
  for (const auto& s : r.settings)
    if (s.key == "training.lora_rank") CHECK(s.where.line == 5);  // "r": 16 is on line 5
  // lora_alpha scales the adapter's output: no effect on time or memory, said once.
  bool alpha = false;
  for (const std::string& line : r.ignored) alpha = alpha || has(line, "lora_alpha");
  CHECK(alpha);
  // "all-linear": every projection of the layer (PEFT excludes the output layer).
  const ImportResult all = parse_peft_config(R"({"peft_type": "LORA", "target_modules": "all-linear"})", "a.json");
  CHECK(value_of(all, "training.lora_targets") == "linear_qkv,linear_proj,linear_fc1,linear_fc2");
  CHECK(value_of(all, "training.lora_rank") == "8");  // LoraConfig's default r
}

TEST_CASE("adapter_config.json through the loader: the scenario gets the adapters; conflicts name both") {
  const Scenario s = load_with(write("llama.json", kLlama));
  CHECK(s.training.finetune.lora());
  CHECK(s.training.finetune.lora_rank == 16);
  CHECK(s.training.finetune.lora_targets == (kLoraQkv | kLoraProj));  // q/k/v_proj -> linear_qkv, o_proj
  CHECK(s.training.finetune.lora_dropout == doctest::Approx(0.1));
  const std::string conflict = error_of([] { load_with(write("llama2.json", kLlama), {"training.lora_rank=8"}); });
  CHECK(has(conflict, "training.lora_rank"));
  // The keys' own bounds apply to the file's values, named at the file's line.
  const std::string big = error_of([] {
    load_with(write("big.json", R"({"peft_type": "LORA",
 "r": 2000000})"));
  });
  CHECK(has(big, "trainsim_peft_big.json:2"));
}

TEST_CASE("adapter_config.json: other PEFT methods, DoRA and regular expressions are refused") {
  CHECK(has(error_of([] { parse_peft_config(R"({"peft_type": "PREFIX_TUNING"})", "a.json"); }), "peft_type"));
  CHECK(has(error_of([] { parse_peft_config(R"({"peft_type": "LORA", "use_dora": true})", "a.json"); }), "use_dora"));
  CHECK(has(error_of([] { parse_peft_config(R"({"peft_type": "LORA", "target_modules": ".*proj"})", "a.json"); }),
            "regular expression"));
  CHECK(has(error_of([] { parse_peft_config(R"({"peft_type": "LORA", "r": 0})", "a.json"); }), "positive integer"));
  CHECK(has(error_of([] { parse_peft_config(R"({"peft_type": "LORA", "target_modules": ["q_proj", 3]})", "a.json"); }),
            "target_modules"));
}
