// Parameter counts from the architecture: SC21 Eq. 2 for the Megatron GPT
// models, and the published totals of Llama 2/3, BLOOM and GPT-NeoX, exactly.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>

#include "sim/load/model_loader.hpp"
#include "sim/model/params.hpp"

using namespace trainsim;

namespace {

ModelSpec zoo_model(const std::string& name) {
  return load_model(std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/models/" + name + ".yaml");
}

// SC21 Eq. 2: P = 12 l h^2 (1 + 13/(12h) + (V + s)/(12 l h)) = 12 l h^2 + 13 l h + (V + s) h.
std::int64_t sc21_eq2(std::int64_t l, std::int64_t h, std::int64_t V, std::int64_t s) {
  return 12 * l * h * h + 13 * l * h + (V + s) * h;
}

}  // namespace

TEST_CASE("every model card in models/ loads") {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/models")) {
    CAPTURE(e.path().string());
    CHECK_NOTHROW(load_model(e.path().string()));
    ++n;
  }
  CHECK(n >= 21);
}

TEST_CASE("SC21 models: Eq. 2 exactly, plus the final LayerNorm that Eq. 2 omits") {
  struct Row {
    const char* name;
    double published_billions;  // SC21 Table 1
  };
  const Row rows[] = {{"1.7b", 1.7},   {"3.6b", 3.6},     {"7.5b", 7.5},     {"18.4b", 18.4},   {"39.1b", 39.1},
                      {"76.1b", 76.1}, {"145.6b", 145.6}, {"310.1b", 310.1}, {"529.6b", 529.6}, {"1t", 1008.0}};
  for (const Row& r : rows) {
    ModelSpec m = zoo_model(std::string("megatron-gpt-") + r.name);
    CAPTURE(m.name);
    std::int64_t eq2 = sc21_eq2(m.layers, m.hidden, m.vocab, m.max_position);
    // Eq. 2 counts 12h^2 + 13h per layer and (V + s) h for the embeddings; the
    // real model also has a final LayerNorm of 2h parameters.
    CHECK(count_params(m).total == eq2 + 2LL * m.hidden);
    CHECK(std::round(eq2 / 1e8) / 10.0 == doctest::Approx(r.published_billions));
  }
}

TEST_CASE("published totals, to the parameter") {
  CHECK(count_params(zoo_model("llama-2-7b")).total == 6'738'415'616LL);
  CHECK(count_params(zoo_model("llama-2-13b")).total == 13'015'864'320LL);
  CHECK(count_params(zoo_model("llama-2-70b")).total == 68'976'648'192LL);
  CHECK(count_params(zoo_model("llama-3-8b")).total == 8'030'261'248LL);
  CHECK(count_params(zoo_model("llama-3-70b")).total == 70'553'706'496LL);
  CHECK(count_params(zoo_model("llama-3-405b")).total == 405'853'388'800LL);
  CHECK(count_params(zoo_model("bloom-176b")).total == 176'247'271'424LL);
  CHECK(count_params(zoo_model("gpt-neox-20b")).total == 20'554'567'680LL);
}

TEST_CASE("GQA shrinks K and V; SwiGLU has three matrices") {
  ModelSpec m = zoo_model("llama-3-8b");
  ParamCounts c = count_params(m);
  CHECK(c.attention == 2LL * 4096 * 4096 + 2LL * 4096 * 1024);
  CHECK(c.mlp == 3LL * 4096 * 14336);
  CHECK(c.layer_norms == 2LL * 4096);
  CHECK(c.output_layer == c.word_embedding);
  CHECK(c.largest_layer == c.word_embedding);  // 128K vocabulary: the embedding is the largest layer
  ModelSpec b = zoo_model("bloom-176b");
  CHECK(count_params(b).output_layer == 0);
  CHECK(count_params(b).largest_layer == count_params(b).word_embedding);
  ParamCounts g = count_params(zoo_model("gpt3-175b"));
  CHECK(g.largest_layer == g.per_layer);
}

TEST_CASE("tensor-parallel shards: tp=1 is the whole layer; the split parts add up") {
  for (const char* name : {"gpt3-175b", "llama-2-70b", "bloom-176b", "llama-3-8b"}) {
    ModelSpec m = zoo_model(name);
    CAPTURE(name);
    ParamCounts c = count_params(m);
    CHECK(layer_params_per_tp_rank(m, 1) == c.per_layer);
    // Replicated per rank: two norms, and the two row-parallel output biases.
    std::int64_t replicated = c.layer_norms + (m.bias ? 2LL * m.hidden : 0);
    for (int tp : {2, 4, 8}) {
      CHECK((layer_params_per_tp_rank(m, tp) - replicated) * tp == c.per_layer - replicated);
    }
    CHECK(vocab_params_per_tp_rank(m, 8) * 8 == c.word_embedding);
  }
}
