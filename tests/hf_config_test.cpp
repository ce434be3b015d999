// Hugging Face config.json as a model: Llama/Mistral, GPT-2 and GPT-NeoX key
// sets give the published parameter counts; bad files name the key (and line).
#include <doctest/doctest.h>

#include "sim/config/error.hpp"
#include "sim/config/hf_config.hpp"
#include "sim/config/model_loader.hpp"
#include "sim/model/params.hpp"

using namespace trainsim;

namespace {

std::string fixture(const std::string& name) { return std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/tests/data/hf/" + name; }

std::string error_of(const std::string& name) {
  try {
    load_model(fixture(name));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("Llama and Mistral key sets") {
  ModelSpec l2 = load_model(fixture("llama-2-7b.json"));
  CHECK(l2.name == "Llama-2-7b-hf");
  CHECK(l2.mlp == MlpKind::swiglu);
  CHECK(l2.norm == NormKind::rmsnorm);
  CHECK(count_params(l2).total == 6'738'415'616LL);
  ModelSpec l3 = load_model(fixture("llama-3-8b.json"));
  CHECK(l3.kv_heads == 8);
  CHECK(count_params(l3).total == 8'030'261'248LL);
  CHECK(count_params(load_model(fixture("mistral-7b.json"))).total == 7'241'732'096LL);
}

TEST_CASE("GPT-2 key set: n_embd, n_layer, n_head, n_inner null, tied, learned positions") {
  ModelSpec g = load_model(fixture("gpt2.json"));
  CHECK(g.hidden == 768);
  CHECK(g.ffn == 3072);
  CHECK(g.max_position == 1024);
  CHECK(g.tied_embeddings);
  CHECK(count_params(g).total == 124'439'808LL);
  CHECK(g.name == "gpt2");
}

TEST_CASE("GPT-NeoX key set") {
  ModelSpec n = load_model(fixture("gpt-neox-20b.json"));
  CHECK(n.position == PositionKind::rope);
  CHECK(count_params(n).total == 20'554'567'680LL);
}

TEST_CASE("bad config.json files name the problem") {
  CHECK(has(error_of("malformed.json"), "malformed.json:6: malformed JSON"));
  CHECK(has(error_of("missing_layers.json"), "num_hidden_layers: missing required key"));
  CHECK(has(error_of("string_layers.json"), "num_hidden_layers: expected a positive integer, found \"thirty-two\""));
  CHECK(has(error_of("negative_heads.json"), "n_head: expected a positive integer"));
  CHECK_THROWS_AS(parse_hf_config("[1, 2]", "list.json"), ConfigError);
}
