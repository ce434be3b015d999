#include "sim/validate/launch_settings.hpp"

#include <algorithm>
#include <cctype>

#include "sim/config/keys.hpp"
#include "sim/model/stage_split.hpp"

namespace trainsim {
namespace {

bool contains(const std::string& text, const std::string& what) {
  return lower_case(text).find(lower_case(what)) != std::string::npos;
}

// Megatron-LM SC21 Table 1 (NVIDIA/Megatron-LM examples/sc21/run_table_1.sh,
// as tests/validation/sc21_validation_test.cpp reads it): 2021, before FlashAttention;
// DDP=torch (gradient all-reduce overlapped with the backward) for the models
// without pipeline parallelism (1.7B-18.4B), DDP=local (all-reduce after the
// backward) for the pipelined ones (39.1B-1T).
void sc21(const RunRow& row, std::vector<LaunchSetting>& out) {
  out.push_back({"training.flash_attention", "false", "SC21 (2021): unfused attention, FlashAttention is from 2022"});
  bool pipelined = row.get("pp") != "1";
  out.push_back({"training.overlap_grad_reduce", pipelined ? "false" : "true",
                 pipelined ? "SC21 run_table_1.sh: DDP=local for pipelined models (all-reduce after the backward)"
                           : "SC21 run_table_1.sh: DDP=torch for models without pipeline parallelism (overlapped)"});
}

// BigScience tr11-176B-ml on Jean Zay (chronicles-prequel.md, tr11-176B-ml.slurm;
// as tests/validation/bloom_memory_test.cpp and results/calibration.md read them).
void bloom(std::vector<LaunchSetting>& out) {
  out.push_back(
      {"training.flash_attention", "false", "BLOOM (2022): Megatron-DeepSpeed fused softmax, no FlashAttention"});
  out.push_back(
      {"parallel.embedding_in_pp_split", "true",
       "BLOOM: DeepSpeed partition_method 'type:transformer|embedding' (embedding-balanced PP, notes column)"});
  out.push_back({"memory.convention", "deepspeed",
                 "BLOOM: DeepSpeed BF16_Optimizer with fp32 gradient accumulation (notes column)"});
  out.push_back({"training.overlap_grad_reduce", "false",
                 "DeepSpeed PipelineEngine: ReduceGrads runs after the last backward of the step (not overlapped)"});
  out.push_back({"parallel.pipeline_engine", "deepspeed",
                 "Megatron-DeepSpeed GPTModelPipe on DeepSpeed's PipelineEngine: blocking sends of whole activations"});
  out.push_back({"training.cuda_launch_blocking", "true",
                 "BLOOM on Jean Zay: CUDA_LAUNCH_BLOCKING=1 (tr11-176B-ml.slurm: 'do not remove or the training will "
                 "hang'; chronicles-prequel.md: 320 GPUs always hang without it)"});
}

// vTrain (data/reference/vtrain/README.md): "collected with Megatron-DeepSpeed";
// "gradient bucketing off (data-parallel all-reduce after the backward pass, not
// overlapped)". FlashAttention is not stated: Megatron-DeepSpeed runs without
// --use-flash-attn unless asked (an assumption, stated in the report).
void vtrain(std::vector<LaunchSetting>& out) {
  out.push_back(
      {"training.flash_attention", "false",
       "vTrain: Megatron-DeepSpeed without --use-flash-attn (assumption; vtrain/README.md does not state it)"});
  out.push_back({"training.overlap_grad_reduce", "false",
                 "vTrain README: gradient bucketing off, DP all-reduce after the backward pass"});
}

// NVIDIA NeMo 24.07 performance runs (Megatron-core + Transformer Engine): the
// launcher's H100 example scripts (NVIDIA/NeMo-Framework-Launcher
// examples/training/{gpt,llama}/h100/*.sh) pass
// `+training.model.optim.grad_sync_dtype=bf16`: gradients kept and reduced in bf16.
// The scenario defaults (FlashAttention, overlapped reductions) describe the rest.
void nemo(std::vector<LaunchSetting>& out) {
  // NeMo is Megatron-core: Megatron's accounting at every ZeRO stage (framework.name default), so the
  // gradient type applies to every row.
  out.push_back({"training.grad_dtype", "bf16",
                 "NeMo launcher H100 scripts: optim.grad_sync_dtype=bf16 (bf16 gradient buffers and reduction)"});
  out.push_back({"training.overlap_p2p_comm", "true",
                 "NeMo launcher model configs: overlap_p2p_comm true, batch_p2p_comm false (interleaved pipelines)"});
}

// The latest year 2017-2035 written in `text` as four digits standing alone, or 0.
int latest_year(const std::string& text) {
  int best = 0;
  for (std::size_t i = 0; i + 4 <= text.size(); ++i) {
    bool digits = std::all_of(text.begin() + i, text.begin() + i + 4, [](unsigned char c) { return std::isdigit(c); });
    bool alone = (i == 0 || !std::isdigit(static_cast<unsigned char>(text[i - 1]))) &&
                 (i + 4 == text.size() || !std::isdigit(static_cast<unsigned char>(text[i + 4])));
    if (!digits || !alone) continue;
    int y = std::stoi(text.substr(i, 4));
    if (y >= 2017 && y <= 2035) best = std::max(best, y);
  }
  return best;
}

// Any other source: FlashAttention as its notes say, else off for a run published
// in 2022 or before (FlashAttention reached Megatron-LM with NVIDIA/Megatron-LM PR
// #267, opened 2022-12-09 and merged in 2023; Megatron-DeepSpeed's port, PR #357, is
// from 2022-12-12), else the scenario default (on).
void other(const RunRow& row, std::vector<LaunchSetting>& out) {
  const std::string notes = lower_case(row.get("notes"));
  std::size_t at = std::string::npos;
  for (const char* name : {"flashattention", "flash attention", "flash-attn", "flash_attn", "flash attn"})
    at = std::min(at, notes.find(name));
  if (at != std::string::npos) {
    // The clause that names it: from up to 12 characters before (room for "without ",
    // not past a ';', ',' or '.') to the next delimiter.
    constexpr std::size_t kLookBack = 12;  // characters
    std::size_t from = at >= kLookBack ? at - kLookBack : 0;
    if (std::size_t d = at ? notes.find_last_of(";,.", at - 1) : std::string::npos; d != std::string::npos && d >= from)
      from = d + 1;
    const std::size_t to = notes.find_first_of(";,.", at);
    const std::string clause = notes.substr(from, to == std::string::npos ? std::string::npos : to - from);
    bool off = false;
    for (const char* neg : {"no ", "without", "w/o", " off", "=off", "disabled", "false", "not ", "=0"})
      off = off || clause.find(neg) != std::string::npos;
    out.push_back({"training.flash_attention", off ? "false" : "true", "notes column: " + row.get("notes")});
    return;
  }
  const int year = latest_year(row.get("source"));
  if (year > 0 && year <= 2022)
    out.push_back({"training.flash_attention", "false",
                   "source dated " + std::to_string(year) +
                       ": FlashAttention reached Megatron-LM in 2023 (NVIDIA/Megatron-LM PR #267, opened 2022-12-09)"});
}

bool has_key(const std::vector<LaunchSetting>& v, const std::string& key) {
  return std::any_of(v.begin(), v.end(), [&](const LaunchSetting& s) { return s.key == key; });
}

// Layers that do not divide over the stages but do once the embedding and the
// loss count as one slot each: Megatron-core's only even split for them is
// --account-for-embedding-in-pipeline-split --account-for-loss-in-pipeline-split
// (one layer fewer on the first and the last stage, as Llama 3 405B's 126
// layers run on 16 stages).
void pipeline_split(const RunRow& row, std::vector<LaunchSetting>& out) {
  const int layers = row.positive_int("layers").value_or(0), pp = row.positive_int("pp").value_or(0);
  if (has_key(out, "parallel.embedding_in_pp_split") || pp < 2 || layers < 1) return;
  if (layers % pp != 0 && pipeline_items(layers, true) % pp == 0)
    out.push_back({"parallel.embedding_in_pp_split", "true",
                   "pp divides layers + 2: Megatron-core --account-for-embedding-in-pipeline-split "
                   "--account-for-loss-in-pipeline-split (the even split)"});
}

}  // namespace

std::string source_family(const RunRow& row) {
  const std::string& src = row.get("source");
  if (contains(src, "vTrain")) return "vtrain";
  if (contains(src, "cases_april2021") || contains(src, "megatron_table") || row.id().rfind("sc21_", 0) == 0)
    return "sc21";
  if (contains(src, "bigscience")) return "bloom";
  if (contains(src, "NeMo")) return "nemo";
  return "other";
}

std::vector<LaunchSetting> launch_settings(const RunRow& row) {
  std::vector<LaunchSetting> out;
  std::string family = source_family(row);
  if (family == "sc21")
    sc21(row, out);
  else if (family == "bloom")
    bloom(out);
  else if (family == "vtrain")
    vtrain(out);
  else if (family == "nemo")
    nemo(out);
  else
    other(row, out);
  // Any source: a note saying gradient bucketing is off means the DP reduction
  // runs after the backward (the vTrain rows' notes say so).
  if (contains(row.get("notes"), "gradient bucketing off") && !has_key(out, "training.overlap_grad_reduce"))
    out.push_back(
        {"training.overlap_grad_reduce", "false", "notes: gradient bucketing off (DP all-reduce after the backward)"});
  pipeline_split(row, out);
  return out;
}

namespace {

std::string trimmed(const std::string& s) {
  const std::size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

// One `key=value` pair of the settings cell, its key checked against the scenario keys.
LaunchSetting stated_pair(const RunRow& row, const std::string& pair) {
  const std::size_t eq = pair.find('=');
  const std::string key = trimmed(pair.substr(0, eq));
  if (eq == std::string::npos || key.empty())
    throw ConfigError(row.where("settings"), "'" + pair +
                                                 "' is not a dotted.key=value pair (pairs are separated by ';', "
                                                 "e.g. training.tp_comm_overlap=true;framework.name=megatron-core)");
  const KeyTable& keys = scenario_keys();
  if (keys.is_section(key))
    throw ConfigError(row.where("settings"), key + ": is a section, not a key; state one of its keys");
  if (!keys.find(key))
    throw ConfigError(row.where("settings"), key + ": unknown scenario key; did you mean '" + keys.nearest(key) +
                                                 "'? (`trainsim help keys` lists all)");
  return {key, trimmed(pair.substr(eq + 1)), "settings column (stated by the row)"};
}

}  // namespace

std::vector<LaunchSetting> stated_settings(const RunRow& row) {
  std::vector<LaunchSetting> out;
  const std::string& cell = row.get("settings");
  std::size_t from = 0;
  while (from <= cell.size()) {
    std::size_t to = cell.find(';', from);
    if (to == std::string::npos) to = cell.size();
    if (const std::string pair = trimmed(cell.substr(from, to - from)); !pair.empty()) {
      LaunchSetting s = stated_pair(row, pair);
      if (has_key(out, s.key)) throw ConfigError(row.where("settings"), s.key + ": stated twice; state each key once");
      out.push_back(std::move(s));
    }
    from = to + 1;
  }
  return out;
}

std::vector<LaunchSetting> unstated(const std::vector<LaunchSetting>& defaults,
                                    const std::vector<LaunchSetting>& stated) {
  std::vector<LaunchSetting> out;
  for (const LaunchSetting& d : defaults)
    if (!has_key(stated, d.key)) out.push_back(d);
  return out;
}

std::string row_mlp(const RunRow& row) {
  std::string w = row.word("mlp");
  std::replace(w.begin(), w.end(), '-', '_');
  for (const char* a : {"squared_relu", "relu2", "relu_squared", "srelu"})
    if (w == a) return "relu";
  for (const char* a : {"geglu", "reglu", "gated_gelu", "gated_silu", "swish_glu", "silu_glu"})
    if (w == a) return "swiglu";
  for (const char* a : {"gelu_new", "gelu_tanh", "gelu_pytorch_tanh", "gelu_fast"})
    if (w == a) return "gelu";
  return row.word("mlp");
}

std::vector<std::pair<std::string, std::string>> model_family_keys(const RunRow& row) {
  std::vector<std::pair<std::string, std::string>> k;
  if (row_mlp(row) == "swiglu") {
    // Llama family (Touvron et al. 2023; models/llama-2-7b.yaml): RoPE, RMSNorm,
    // no biases, untied output layer, no dropout.
    k = {{"position", "rope"},
         {"norm", "rmsnorm"},
         {"tied_embeddings", "false"},
         {"bias", "false"},
         {"dropout", "false"}};
  } else if (contains(row.get("model"), "BLOOM") || source_family(row) == "bloom") {
    // BLOOM architecture (models/bloom-176b.yaml): ALiBi, embedding LayerNorm, tied, dropout on.
    k = {{"position", "alibi"}, {"norm", "layernorm"},      {"tied_embeddings", "true"},
         {"bias", "true"},      {"embedding_norm", "true"}, {"dropout", "true"}};
  } else {
    // Megatron GPT (models/megatron-gpt-*.yaml, gpt3-175b.yaml): learned positions
    // for the run's sequence length (--max-position-embeddings = --seq-length in
    // the launch scripts), LayerNorm, tied output layer, biases, dropout on.
    k = {{"max_position", row.get("seq_len")}, {"position", "learned"}, {"norm", "layernorm"},
         {"tied_embeddings", "true"},          {"bias", "true"},        {"dropout", "true"}};
  }
  static const char* kOverridable[] = {"position", "norm",           "tied_embeddings", "bias",
                                       "dropout",  "embedding_norm", "max_position",    "head_dim"};
  for (const char* col : kOverridable) {
    if (!row.has(col)) continue;
    auto it = std::find_if(k.begin(), k.end(), [&](const auto& kv) { return kv.first == col; });
    if (it != k.end())
      it->second = row.get(col);
    else
      k.emplace_back(col, row.get(col));
  }
  return k;
}

}  // namespace trainsim
