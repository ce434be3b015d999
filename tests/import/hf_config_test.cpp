// Hugging Face config.json as a model: the Llama/Mistral, GPT-2, GPT-NeoX,
// BLOOM and OPT key sets give the published parameter counts; bad files name
// the file, line and key.
#include <doctest/doctest.h>

#include "sim/core/error.hpp"
#include "sim/import/hf/hf_config.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/model/params.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

std::string fixture(const std::string& name) {
  return std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/tests/data/hf/" + name;
}
std::string zoo(const std::string& name) {
  return std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/models/" + name + ".yaml";
}

// The ConfigError message of loading tests/data/hf/NAME.
std::string error_of(const std::string& name) {
  return test::error_of([&] { load_model(fixture(name)); });
}

using test::has;

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

TEST_CASE("architectures of Llama-3-8B, Mistral-7B, GPT-2 and GPT-NeoX-20B as published") {
  ModelSpec l3 = load_model(fixture("llama-3-8b.json"));
  CHECK(l3.layers == 32);
  CHECK(l3.hidden == 4096);
  CHECK(l3.heads == 32);
  CHECK(l3.ffn == 14336);
  CHECK(l3.vocab == 128256);
  CHECK(l3.position == PositionKind::rope);
  CHECK_FALSE(l3.tied_embeddings);
  ModelSpec m = load_model(fixture("mistral-7b.json"));
  CHECK(m.layers == 32);
  CHECK(m.kv_heads == 8);
  CHECK(m.ffn == 14336);
  CHECK(m.vocab == 32000);
  CHECK(m.mlp == MlpKind::swiglu);
  ModelSpec g = load_model(fixture("gpt2.json"));
  CHECK(g.layers == 12);
  CHECK(g.heads == 12);
  CHECK(g.vocab == 50257);
  CHECK(g.position == PositionKind::learned);
  CHECK(g.mlp == MlpKind::gelu);
  ModelSpec n = load_model(fixture("gpt-neox-20b.json"));
  CHECK(n.layers == 44);
  CHECK(n.hidden == 6144);
  CHECK(n.heads == 64);
  CHECK(n.ffn == 24576);
  CHECK(n.vocab == 50432);
  CHECK(n.norm == NormKind::layernorm);
  CHECK_FALSE(n.tied_embeddings);
}

TEST_CASE("BLOOM and OPT key sets agree with the zoo cards") {
  ModelSpec b = load_model(fixture("bloom-176b.json"));
  CHECK(b.name == "bloom");
  CHECK(b.position == PositionKind::alibi);
  CHECK(b.embedding_norm);
  CHECK_FALSE(b.dropout);  // BLOOM's config.json: hidden_dropout and attention_dropout 0.0
  CHECK(count_params(b).total == 176'247'271'424LL);
  ModelSpec o = load_model(fixture("opt-175b.json"));
  CHECK(o.mlp == MlpKind::relu);
  CHECK(o.max_position == 2050);  // 2048 + OPT's 2-row position offset
  CHECK(count_params(o).total == count_params(load_model(zoo("opt-175b"))).total);
}

TEST_CASE("model name: _name_or_path, else the folder of config.json, else the stem") {
  const std::string text = R"({"model_type": "gpt2", "n_embd": 64, "n_layer": 2, "n_head": 4,
                               "n_positions": 128, "vocab_size": 1000})";
  CHECK(parse_hf_config(text, "/x/tiny-gpt/config.json").name == "tiny-gpt");
  CHECK(parse_hf_config(text, "/x/tiny.json").name == "tiny");
}

TEST_CASE("bad config.json files name the problem") {
  CHECK(has(error_of("malformed.json"), "malformed.json:6: malformed JSON"));
  CHECK(has(error_of("missing_layers.json"), "num_hidden_layers: missing required key"));
  CHECK(has(error_of("string_layers.json"),
            "string_layers.json:4: num_hidden_layers: expected a positive integer, found \"thirty-two\""));
  CHECK(has(error_of("negative_heads.json"), "negative_heads.json:4: n_head: expected a positive integer"));
  CHECK_THROWS_AS(parse_hf_config("[1, 2]", "list.json"), ConfigError);
}

TEST_CASE("unsupported or inconsistent configs are refused, naming the key") {
  auto error_in = [](const std::string& text) {
    try {
      parse_hf_config(text, "c.json");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  const std::string llama = R"("hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                                "intermediate_size": 128, "vocab_size": 1000)";
  CHECK(has(error_in(R"({"model_type": "t5", )" + llama + "}"), "model_type: unsupported model_type 't5'"));
  CHECK(has(error_in(R"({"model_type": "mistral", "num_local_experts": 8, )" + llama + "}"),
            "num_local_experts: expert keys need the model_type of a mixture-of-experts family"));
  CHECK(has(error_in(R"({"model_type": "llama", "hidden_act": "gelu", )" + llama + "}"), "hidden_act: "));
  CHECK(has(error_in(R"({"model_type": "llama", "attention_bias": false, "mlp_bias": true, )" + llama + "}"),
            "mlp_bias: must equal attention_bias"));
  CHECK(has(error_in(R"({"model_type": "llama", "tie_word_embeddings": "yes", )" + llama + "}"),
            "tie_word_embeddings: expected true or false"));
  CHECK(has(error_in(R"({"model_type": "gpt2", "n_embd": 64, "n_head": 4, "vocab_size": 10, "n_positions": 8})"),
            "n_layer: missing required key; give one of: n_layer, num_hidden_layers"));
  CHECK(has(error_in(R"({"model_type": "llama", "num_key_value_heads": 3, )" + llama + "}"),
            "c.json:1: num_key_value_heads: must divide num_attention_heads (4)"));
}

TEST_CASE("fuzz findings: every bad config.json is a ConfigError, sizes past the limits are refused") {
  auto error_in = [](const std::string& text) {
    try {
      parse_hf_config(text, "c.json");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  auto has = [](const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; };
  // fuzz_hf_config crash-number-overflow: a number past double's range escaped
  // as nlohmann::json::out_of_range (exit 3 "internal error" in the CLI).
  CHECK(has(error_in("110e16116"), "c.json: malformed JSON: "));
  CHECK(has(error_in(R"({"n_embd": 1e999, "n_layer": 2, "n_head": 2, "vocab_size": 10})"), "malformed JSON"));
  // Counts past the limits (docs/limits.md): refused before 4 x hidden could overflow an int.
  CHECK(has(error_in(R"({"model_type": "gpt2", "n_embd": 2000000000, "n_layer": 2, "n_head": 2, "vocab_size": 10,
                         "n_positions": 8})"),
            "n_embd: 2000000000 is past trainsim's largest accepted count"));
  CHECK(has(error_in(R"({"model_type": "gpt2", "n_embd": 16777216, "n_layer": 2, "n_head": 2, "vocab_size": 10,
                         "n_positions": 8})"),
            "hidden: 16777216 is past trainsim's limit of 1048576"));
}
