// Hugging Face config.json of the MoE families read as-is: each published
// config gives the architecture of its zoo card (so the same parameter
// counts, checked against the published totals in moe_params_test.cpp), and
// Qwen3 dense and Qwen1.5-MoE their published totals.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>

#include "sim/core/error.hpp"
#include "sim/import/hf/hf_config.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/model/params.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

ModelSpec fixture(const std::string& name) {
  return load_model(std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/tests/data/hf/moe/" + name + ".json");
}
ModelSpec zoo(const std::string& name) {
  return load_model(std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/models/" + name + ".yaml");
}

bool agrees(std::int64_t count, double published, double unit) {
  return std::llabs(count - static_cast<std::int64_t>(published)) < static_cast<std::int64_t>(unit);
}

// The architecture fields of two models agree (names and sources aside).
void check_same(const ModelSpec& a, const ModelSpec& b) {
  CHECK(a.layers == b.layers);
  CHECK(a.hidden == b.hidden);
  CHECK(a.heads == b.heads);
  CHECK(a.vocab == b.vocab);
  CHECK(a.tied_embeddings == b.tied_embeddings);
  CHECK(a.bias == b.bias);
  CHECK(a.qk_layernorm == b.qk_layernorm);
  CHECK(a.attention_sinks == b.attention_sinks);
  CHECK(a.sliding_window == b.sliding_window);
  CHECK(a.sliding_layers == b.sliding_layers);
  CHECK(a.kv_lora_rank == b.kv_lora_rank);
  CHECK(a.q_lora_rank == b.q_lora_rank);
  CHECK(a.moe_experts == b.moe_experts);
  CHECK(a.moe_topk == b.moe_topk);
  CHECK(a.moe_ffn == b.moe_ffn);
  CHECK(a.moe_shared_ffn == b.moe_shared_ffn);
  CHECK(a.moe_layers == b.moe_layers);
  CHECK(a.moe_router_score == b.moe_router_score);
  CHECK(a.moe_router_expert_bias == b.moe_router_expert_bias);
  CHECK(a.moe_router_groups == b.moe_router_groups);
  CHECK(a.mtp_layers == b.mtp_layers);
  CHECK(a.context_length == b.context_length);
  const ParamCounts ca = count_params(a), cb = count_params(b);
  CHECK(ca.total == cb.total);
  CHECK(ca.active == cb.active);
  CHECK(ca.checkpoint == cb.checkpoint);
}

}  // namespace

TEST_CASE("every MoE zoo card is what its published config.json says") {
  for (const char* name : {"mixtral-8x7b", "mixtral-8x22b", "deepseek-v3", "kimi-k2", "qwen3-30b-a3b",
                           "qwen3-235b-a22b", "llama-4-scout", "llama-4-maverick", "gpt-oss-120b"}) {
    CAPTURE(name);
    check_same(fixture(name), zoo(name));
  }
}

TEST_CASE("DeepSeek-V3 config.json: MLA, 3 dense layers, noaux_tc router, one MTP module") {
  const ModelSpec m = fixture("deepseek-v3");
  CHECK(m.name == "DeepSeek-V3");
  CHECK(m.is_mla());
  CHECK(m.head_dim == 192);  // qk_nope_head_dim + qk_rope_head_dim
  CHECK(!m.moe_layers[2]);
  CHECK(m.moe_layers[3]);
  CHECK(m.moe_router_score == RouterScore::sigmoid);
  CHECK(m.moe_router_group_topk == 4);
  CHECK(m.mtp_layers == 1);
}

TEST_CASE("Llama 4 config.json: text_config, interleave_moe_layer_step, moe_layers") {
  const ModelSpec m = fixture("llama-4-maverick");
  CHECK(!m.moe_layers[0]);
  CHECK(m.moe_layers[1]);  // layers step-1, 2 step-1, ...: 1, 3, ..., 47
  CHECK(m.ffn == 16384);   // intermediate_size_mlp
  CHECK(m.moe_ffn == 8192);
  CHECK(test::has(m.source, "vision encoder is not counted"));
  // An explicit moe_layers list wins over interleave_moe_layer_step.
  const std::string text =
      R"({"model_type": "llama4_text", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
          "intermediate_size": 32, "intermediate_size_mlp": 128, "num_local_experts": 4, "num_experts_per_tok": 1,
          "vocab_size": 100, "interleave_moe_layer_step": 2, "moe_layers": [0, 3]})";
  const ModelSpec e = parse_hf_config(text, "config.json");
  CHECK(e.moe_layers == std::vector<bool>{true, false, false, true});
}

TEST_CASE("Qwen3-8B config.json (dense): head_dim 128 and q/k norms, 8.2B") {
  const ModelSpec m = fixture("qwen3-8b");
  CHECK(!m.is_moe());
  CHECK(m.head_dim == 128);
  CHECK(m.qk_layernorm);
  const ParamCounts c = count_params(m);
  // Qwen/Qwen3-8B model card: "Number of Parameters: 8.2B; Number of Paramaters (Non-Embedding): 6.95B".
  CHECK(agrees(c.total, 8.2e9, 0.1e9));
  CHECK(agrees(c.total - c.word_embedding - c.output_layer, 6.95e9, 0.01e9));
}

TEST_CASE("Qwen1.5-MoE-A2.7B config.json (qwen2_moe): shared expert and its gate, Q/K/V biases") {
  const ModelSpec m = fixture("qwen1.5-moe-a2.7b");
  CHECK(m.add_qkv_bias);
  CHECK(m.moe_shared_ffn == 5632);
  CHECK(m.moe_shared_gate);
  const ParamCounts c = count_params(m);
  // Qwen/Qwen1.5-MoE-A2.7B model card: "14.3B parameters in total and 2.7B activated parameters".
  CHECK(agrees(c.total, 14.3e9, 0.1e9));
  CHECK(agrees(c.active, 2.7e9, 0.1e9));
  // decoder_sparse_step and mlp_only_layers select the MoE layers: (i + 1) % step == 0, i not listed.
  const std::string text =
      R"({"model_type": "qwen2_moe", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
          "intermediate_size": 128, "moe_intermediate_size": 32, "num_experts": 4, "num_experts_per_tok": 2,
          "vocab_size": 100, "decoder_sparse_step": 2, "mlp_only_layers": [3]})";
  CHECK(parse_hf_config(text, "config.json").moe_layers == std::vector<bool>{false, true, false, false});
}

TEST_CASE("bad MoE config.json values name the key and its line") {
  const std::string head = R"({"model_type": "mixtral", "hidden_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100, )";
  auto error = [&](const std::string& tail) {
    return test::error_of([&] { parse_hf_config(head + tail + "}", "config.json"); });
  };
  CHECK(test::has(error(R"("num_experts_per_tok": 2)"), "num_local_experts"));
  CHECK(test::has(error(R"("num_local_experts": 4, "num_experts_per_tok": 8)"), "moe_router_topk"));
  CHECK(test::has(error(R"("num_local_experts": 4, "num_experts_per_tok": "two")"),
                  "config.json:2: num_experts_per_tok"));
  const std::string ds = R"({"model_type": "deepseek_v3", "hidden_size": 64, "num_hidden_layers": 2,
    "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100, "kv_lora_rank": 16,
    "qk_nope_head_dim": 8, "qk_rope_head_dim": 8, "v_head_dim": 8, "n_routed_experts": 4,
    "num_experts_per_tok": 2, "moe_intermediate_size": 32, "scoring_func": "relu"})";
  CHECK(test::has(test::error_of([&] { parse_hf_config(ds, "config.json"); }), "scoring_func"));
  // Expert keys under a dense model_type are refused, naming the MoE families.
  CHECK(test::has(test::error_of([&] { parse_hf_config(R"({"model_type": "llama", "num_experts": 8})", "c.json"); }),
                  "num_experts: expert keys need the model_type of a mixture-of-experts family"));
}
