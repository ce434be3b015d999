// Parameter counts of the mixture-of-experts zoo, total and active per token,
// against the published figures. "HF total" is the parameter count the Hugging
// Face hub reports for a repository (the API's safetensors.total: every tensor
// element of the checkpoint). Where only a rounded figure is published, the
// count is checked to that figure's last digit: within one unit of it, since
// publishers round and truncate ("37B" for 37.55B).
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "sim/core/error.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/model/params.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using i64 = std::int64_t;

ModelSpec zoo_model(const std::string& name) {
  return load_model(std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/models/" + name + ".yaml");
}

// `count` agrees with a published figure given to `unit` (1e9 for "37B").
bool agrees(i64 count, double published, double unit) {
  return std::llabs(count - static_cast<i64>(published)) < static_cast<i64>(unit);
}

// Block scales of one FP8 weight of out x in stored with 128 x 128 blocks
// (DeepSeek-V3's weight_scale_inv tensors, float32).
i64 scales(i64 out, i64 in) { return ((out + 127) / 128) * ((in + 127) / 128); }

// Llama 4's vision encoder and projector (transformers modeling_llama4.py,
// Llama4VisionModel and Llama4MultiModalProjector), from the published
// vision_config (hidden 1408, 34 layers, MLP 5632, patch 14, image 336,
// projector 4096 -> text hidden 5120). trainsim models the language model only.
i64 llama4_vision() {
  const i64 h = 1408, f = 5632, patches = (336 / 14) * (336 / 14);
  const i64 patch_embedding = 3 * 14 * 14 * h;  // Llama4UnfoldConvolution linear, no bias
  const i64 class_and_positions = h + (patches + 1) * h;
  const i64 pre_post_norms = 2 * 2 * h;  // layernorm_pre, layernorm_post (LayerNorm)
  const i64 layer = 4 * (h * h + h) + (h * f + f) + (f * h + h) + 2 * 2 * h;  // attention, fc1, fc2, two norms
  const i64 adapter = f * 4096 + 4096 * 4096;                                 // Llama4VisionMLP2 fc1, fc2 (no bias)
  const i64 projector = 4096 * 5120;                                          // linear_1, no bias
  return patch_embedding + class_and_positions + pre_post_norms + 34 * layer + adapter + projector;
}

}  // namespace

TEST_CASE("mixtral-8x7b: HF total exactly, 12.9B active") {
  const ParamCounts c = count_params(zoo_model("mixtral-8x7b"));
  // HF total of mistralai/Mixtral-8x7B-v0.1.
  CHECK(c.total == 46'702'792'704LL);
  CHECK(c.moe_layers == 32);
  // Mistral AI, "Mixtral of experts" (mistral.ai/news/mixtral-of-experts): "12.9B parameters per token".
  CHECK(agrees(c.active, 12.9e9, 0.1e9));
}

TEST_CASE("mixtral-8x22b: HF total exactly, 39B active") {
  const ParamCounts c = count_params(zoo_model("mixtral-8x22b"));
  // HF total of mistralai/Mixtral-8x22B-v0.1 (the hub shows "141B params").
  CHECK(c.total == 140'630'071'296LL);
  // Mistral AI, "Cheaper, Better, Faster, Stronger" (mistral.ai/news/mixtral-8x22b): "39B active parameters out of
  // 141B".
  CHECK(agrees(c.active, 39e9, 1e9));
  CHECK(agrees(c.total, 141e9, 1e9));
}

TEST_CASE("deepseek-v3: 671B main model, MTP module, the HF checkpoint's 684,531,386,000 exactly") {
  const ModelSpec m = zoo_model("deepseek-v3");
  const ParamCounts c = count_params(m);
  CHECK(c.moe_layers == 58);
  // DeepSeek-V3 README_WEIGHTS.md: "685B ... 671B of the Main Model weights and 14B of the
  // Multi-Token Prediction (MTP) Module weights"; technical report (arXiv:2412.19437):
  // "671B total parameters with 37B activated for each token".
  CHECK(agrees(c.total, 671e9, 1e9));
  CHECK(agrees(c.mtp + c.mtp_copies, 14e9, 1e9));
  CHECK(agrees(c.active, 37e9, 1e9));
  // HF total of deepseek-ai/DeepSeek-V3: 684,531,386,000 = BF16 3,918,786,560 + F8_E4M3
  // 680,571,043,840 + F32 41,555,600. The F32 tensors are the FP8 weights' 128 x 128 block scales
  // and the 59 routers' e_score_correction_bias (58 MoE layers + the MTP layer's); the rest are the
  // checkpoint's parameters (main model, MTP module and its embedding/head copies).
  const i64 h = 7168, a = 128;
  const i64 attention =
      scales(1536, h) + scales(a * 192, 1536) + scales(576, h) + scales(a * 256, 512) + scales(h, a * 128);
  const i64 expert = 2 * scales(2048, h) + scales(h, 2048);
  const i64 dense_mlp = 2 * scales(18432, h) + scales(h, 18432);
  const i64 fp8_scales = 3 * (attention + dense_mlp) + 59 * (attention + 257 * expert);
  CHECK(fp8_scales + 59 * 256 == 41'555'600LL);
  CHECK(c.checkpoint + fp8_scales == 684'531'386'000LL);
  CHECK(c.checkpoint - c.total - c.mtp == 2 * 129280 * h);  // the MTP module's embed_tokens and shared_head.head
}

TEST_CASE("kimi-k2: 1,026,408,232,448 parameters, 32B active") {
  const ParamCounts c = count_params(zoo_model("kimi-k2"));
  // The checkpoint's parameters without its FP8 block scales, as Fireworks' model catalogue lists
  // moonshotai/Kimi-K2-Instruct (paramCount 1026408232448).
  CHECK(c.total == 1'026'408'232'448LL);
  CHECK(c.mtp == 0);
  // moonshotai/Kimi-K2-Instruct model card: "32 billion activated parameters and 1 trillion total parameters".
  CHECK(agrees(c.active, 32e9, 1e9));
  CHECK(agrees(c.total, 1e12, 0.1e12));
}

TEST_CASE("qwen3-30b-a3b: HF total exactly, 3.3B active, 29.9B non-embedding") {
  const ParamCounts c = count_params(zoo_model("qwen3-30b-a3b"));
  // HF total of Qwen/Qwen3-30B-A3B.
  CHECK(c.total == 30'532'122'624LL);
  // Qwen/Qwen3-30B-A3B model card: "Number of Parameters: 30.5B in total and 3.3B activated;
  // Number of Paramaters (Non-Embedding): 29.9B".
  CHECK(agrees(c.active, 3.3e9, 0.1e9));
  CHECK(agrees(c.total - c.word_embedding - c.output_layer, 29.9e9, 0.1e9));
}

TEST_CASE("qwen3-235b-a22b: HF total exactly, 22B active, 234B non-embedding") {
  const ParamCounts c = count_params(zoo_model("qwen3-235b-a22b"));
  // HF total of Qwen/Qwen3-235B-A22B.
  CHECK(c.total == 235'093'634'560LL);
  // Qwen/Qwen3-235B-A22B model card: "235B in total and 22B activated; Non-Embedding: 234B".
  CHECK(agrees(c.active, 22e9, 1e9));
  CHECK(agrees(c.total - c.word_embedding - c.output_layer, 234e9, 1e9));
}

TEST_CASE("llama-4-scout and llama-4-maverick: HF totals with the vision encoder, 17B active") {
  const ParamCounts scout = count_params(zoo_model("llama-4-scout"));
  const ParamCounts maverick = count_params(zoo_model("llama-4-maverick"));
  CHECK(llama4_vision() == 871'932'416LL);
  // HF totals of meta-llama/Llama-4-Scout-17B-16E-Instruct and Llama-4-Maverick-17B-128E-Instruct.
  CHECK(scout.total + llama4_vision() == 108'641'793'536LL);
  CHECK(maverick.total + llama4_vision() == 401'583'781'376LL);
  CHECK(scout.moe_layers == 48);
  CHECK(maverick.moe_layers == 24);
  // Meta, "The Llama 4 herd": Scout "17 billion active parameters with 16 experts ... 109B total";
  // Maverick "17 billion active parameters with 128 experts ... 400B total".
  CHECK(agrees(scout.active, 17e9, 1e9));
  CHECK(agrees(maverick.active, 17e9, 1e9));
  CHECK(agrees(scout.total + llama4_vision(), 109e9, 1e9));
  CHECK(agrees(maverick.total, 400e9, 1e9));
}

TEST_CASE("gpt-oss-120b: 116.83B total, 5.13B active, OpenAI's breakdown") {
  const ModelSpec m = zoo_model("gpt-oss-120b");
  const ParamCounts c = count_params(m);
  // general.parameter_count of the GGUF conversion (`ollama show gpt-oss:120b`): 116829156672.
  CHECK(c.total == 116'829'156'672LL);
  // OpenAI, gpt-oss-120b & gpt-oss-20b Model Card (arXiv:2508.10925), Table 1: total 116.83B,
  // active per token 5.13B (without the embedding table), MLP 114.71B, attention 0.96B,
  // embedding + unembedding 1.16B.
  CHECK(agrees(c.total, 116.83e9, 0.01e9));
  CHECK(agrees(c.active - c.word_embedding, 5.13e9, 0.01e9));
  CHECK(agrees(c.moe_layers * (c.router + m.moe_experts * c.routed_expert), 114.71e9, 0.01e9));
  CHECK(agrees(m.layers * c.attention, 0.96e9, 0.01e9));
  CHECK(agrees(c.word_embedding + c.output_layer, 1.16e9, 0.01e9));
}

TEST_CASE("gpt-oss-20b from the 120b card: the HF total exactly") {
  // openai/gpt-oss-20b: 24 layers of 32 experts, the rest as gpt-oss-120b. Its logical parameter
  // count, 20,914,757,184, is the GGUF general.parameter_count (the HF total counts MXFP4 blocks).
  const std::string card =
      "{layers: 24, hidden: 2880, heads: 64, kv_heads: 8, head_dim: 64, ffn: 2880, vocab: 201088, mlp: swiglu, "
      "position: rope, norm: rmsnorm, tied_embeddings: false, bias: true, dropout: false, attention_sinks: true, "
      "sliding_window: 128, sliding_window_layers: '[1,0]*12', num_moe_experts: 32, moe_router_topk: 4}";
  const ParamCounts c = count_params(load_model_card_string(card, "gpt-oss-20b.yaml"));
  CHECK(c.total == 20'914'757'184LL);
}

TEST_CASE("a dense card counts as before: active = total, no MTP") {
  const ParamCounts c = count_params(zoo_model("llama-3-8b"));
  CHECK(c.total == 8'030'261'248LL);
  CHECK(c.active == c.total);
  CHECK(c.checkpoint == c.total);
  CHECK(c.moe_layers == 0);
}

TEST_CASE("moe_layer_freq: Megatron's integer and list forms") {
  const std::string base =
      "{layers: 4, hidden: 64, heads: 4, ffn: 128, vocab: 100, position: rope, mlp: swiglu, num_moe_experts: 4, "
      "moe_router_topk: 2, moe_ffn_hidden_size: 32";
  auto moe_layers = [&](const std::string& freq) {
    return count_params(load_model_card_string(base + ", moe_layer_freq: '" + freq + "'}", "m.yaml")).moe_layers;
  };
  CHECK(moe_layers("1") == 4);
  CHECK(moe_layers("2") == 2);  // layers 0 and 2 (i % 2 == 0)
  CHECK(moe_layers("([0]*1+[1]*3)") == 3);
  CHECK(moe_layers("[0,1]*2") == 2);
  CHECK(moe_layers("[1, 0, 0, 1]") == 2);
  auto error = [&](const std::string& freq) {
    return test::error_of([&] { load_model_card_string(base + ", moe_layer_freq: '" + freq + "'}", "m.yaml"); });
  };
  CHECK(test::has(error("[1]*5"), "moe_layer_freq"));
  CHECK(test::has(error("[1]*3"), "one per layer (4)"));
  CHECK(test::has(error("[2]*4"), "list of 0/1"));
  CHECK(test::has(error("[0]*4"), "at least one"));
  CHECK(test::has(error("0"), "N >= 1"));
}

TEST_CASE("MoE and MLA keys that contradict each other are refused") {
  const std::string base = "{layers: 2, hidden: 64, heads: 4, ffn: 128, vocab: 100, position: rope, mlp: swiglu";
  auto error = [&](const std::string& extra) {
    return test::error_of([&] { load_model_card_string(base + ", " + extra + "}", "m.yaml"); });
  };
  CHECK(test::has(error("moe_router_topk: 2"), "num_moe_experts"));
  CHECK(test::has(error("num_moe_experts: 4, moe_router_topk: 5"), "moe_router_topk"));
  CHECK(test::has(error("num_moe_experts: 4, moe_router_topk: 0"), "moe_router_topk"));
  CHECK(test::has(error("num_moe_experts: 6, moe_router_topk: 2, moe_router_num_groups: 4, moe_router_group_topk: 2"),
                  "moe_router_num_groups"));
  CHECK(test::has(error("kv_lora_rank: 16"), "qk_nope_head_dim"));
  CHECK(test::has(error("q_lora_rank: 16"), "kv_lora_rank"));
  CHECK(test::has(error("sliding_window_layers: '[1,0]'"), "sliding_window"));
}
