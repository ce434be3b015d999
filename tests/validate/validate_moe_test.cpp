// The runs CSV's optional MoE and model-card columns (sim/validate/row_moe.hpp): moe_experts,
// moe_top_k, moe_ffn, moe_shared_experts, moe_dense_layers into the inline card, ep and etp into
// the layout, attention checked against heads / kv_heads, and model_card naming a zoo card whose
// dimensions the row's filled columns must equal.
#include <doctest/doctest.h>

#include <string>

#include "sim/validate/row_moe.hpp"
#include "sim/validate/row_scenario.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;
using trainsim::test::error_of;
using trainsim::test::has;
using trainsim::test::zoo;

namespace {

const char* kHeader =
    "id,source,model,layers,hidden,heads,kv_heads,ffn,vocab,mlp,seq_len,gpu,cluster,gpus,precision,tp,pp,dp,cp,"
    "sequence_parallel,vp,zero_stage,micro_batch,global_batch,recompute,step_time_s,peak_memory_gb,oom,"
    "moe_experts,moe_top_k,moe_ffn,moe_shared_experts,moe_dense_layers,ep,etp,attention,model_card\n";

// Layout cells of a 64-GPU H100 run: tp 1, pp 1, dp 64, ... ; `dims` fills model..mlp, `moe` the
// nine MoE cells.
std::string row(const std::string& id, const std::string& dims, const std::string& moe) {
  return id + ",test," + dims + ",4096,h100-sxm5-80gb,dgx-h100-80gb,64,bf16,1,1,64,1,0,1,0,1,256,full,1.0,,0," + moe +
         "\n";
}

const std::string kMixtralDims = "Mixtral 8x7B,32,4096,32,8,14336,32000,swiglu";
const std::string kEmptyDims = "Mixtral 8x7B,,,,,,,";

RunRow only_row(const std::string& r) {
  RunsTable t = parse_runs_csv(std::string(kHeader) + r, "m.csv");
  REQUIRE(t.rows.size() == 1);
  return t.rows[0];
}

}  // namespace

TEST_CASE("validate moe: the MoE columns become the inline card's keys and the layout's ep / etp") {
  const RunRow r = only_row(row("dsv3like", "DeepSeek-like,8,1024,16,16,4096,32000,swiglu", "64,6,512,2,1,8,1,,"));
  const RowPlan p = plan_row(r, zoo());
  CHECK(has(p.yaml, "num_moe_experts: \"64\""));
  CHECK(has(p.yaml, "moe_router_topk: \"6\""));
  CHECK(has(p.yaml, "moe_ffn_hidden_size: \"512\""));
  CHECK(has(p.yaml, "moe_shared_expert_intermediate_size: \"1024\""));  // 2 shared experts of 512
  CHECK(has(p.yaml, "moe_layer_freq: \"([0]*1+[1]*7)\""));              // 1 leading dense layer of 8
  CHECK(has(p.yaml, "  ep: \"8\""));
  CHECK(has(p.yaml, "  etp: \"1\""));
  // owned by moe-step: row_scenario() of an MoE row (the loader refuses MoE models until the MoE
  // step lands; with moe-layout's parallel.ep key it then simulates).
}

TEST_CASE("validate moe: column names for the MoE keys, and auto is refused in them") {
  CHECK(column_of("model.num_moe_experts") == "moe_experts");
  CHECK(column_of("model.moe_router_topk") == "moe_top_k");
  CHECK(column_of("parallel.ep") == "ep");
  CHECK(column_of("parallel.etp") == "etp");
  const RunRow r = only_row(row("a", kMixtralDims, "8,2,14336,,,auto,,,"));
  CHECK(has(error_of([&] { plan_row(r, zoo()); }), "'auto' is not supported"));
  const RunRow k = only_row(row("k", kMixtralDims, ",2,,,,,,,"));
  const std::string e = error_of([&] { plan_row(k, zoo()); });
  CHECK(has(e, "m.csv:2: moe_top_k"));
  CHECK(has(e, "needs moe_experts"));
  const RunRow d = only_row(row("d", kMixtralDims, "8,2,14336,,32,,,,"));
  CHECK(has(error_of([&] { plan_row(d, zoo()); }), "leave no MoE layer"));
}

TEST_CASE("validate moe: attention is checked against heads and kv_heads; mla needs a card") {
  CHECK_NOTHROW(plan_row(only_row(row("g", kMixtralDims, "8,2,14336,,,,,gqa,")), zoo()));
  CHECK_NOTHROW(plan_row(only_row(row("G", kMixtralDims, "8,2,14336,,,,,GQA,")), zoo()));
  const std::string mha = error_of([] { plan_row(only_row(row("h", kMixtralDims, "8,2,14336,,,,,mha,")), zoo()); });
  CHECK(has(mha, "attention"));
  CHECK(has(mha, "says mha but heads 32 and kv_heads 8 are gqa"));
  CHECK(has(error_of([] { plan_row(only_row(row("m", kMixtralDims, "8,2,14336,,,,,mla,")), zoo()); }),
            "mla needs a model_card"));
  CHECK(has(error_of([] { plan_row(only_row(row("x", kMixtralDims, "8,2,14336,,,,,sparse,")), zoo()); }),
            "valid: mha, gqa, mqa, mla"));
}

TEST_CASE("validate moe: model_card names the card; the row's filled dimensions must equal it") {
  // Empty dimension cells: all from the card.
  const RowPlan p = plan_row(only_row(row("c", kEmptyDims, ",,,,,8,,,mixtral-8x7b")), zoo());
  CHECK(has(p.yaml, "model: \"mixtral-8x7b\"\n"));
  CHECK_FALSE(has(p.yaml, "hidden:"));
  // Filled cells that agree, including the MoE ones and the attention kind.
  CHECK(check_row_model(only_row(row("a", kMixtralDims, "8,2,14336,0,0,8,1,gqa,mixtral-8x7b")), zoo()) ==
        "mixtral-8x7b");
  // A disagreeing cell: named at its column, both values said.
  const std::string e = error_of([] {
    plan_row(only_row(row("b", "Mixtral 8x7B,32,4000,32,8,14336,32000,swiglu", ",,,,,,,,mixtral-8x7b")), zoo());
  });
  CHECK(has(e, "m.csv:2: hidden"));
  CHECK(has(e, "the row says hidden 4000 but model_card mixtral-8x7b has 4096"));
  CHECK(has(error_of([] { plan_row(only_row(row("k", kEmptyDims, "8,4,,,,,,,mixtral-8x7b")), zoo()); }),
            "moe_top_k 4 but model_card mixtral-8x7b has 2"));
  // DeepSeek-V3: MLA, 1 shared expert of 2048, 3 leading dense layers (models/deepseek-v3.yaml).
  CHECK(check_row_model(only_row(row("v", kEmptyDims, "256,8,2048,1,3,64,1,mla,deepseek-v3")), zoo()) == "deepseek-v3");
  CHECK(has(error_of([] { plan_row(only_row(row("s", kEmptyDims, "256,8,2048,2,3,64,1,,deepseek-v3")), zoo()); }),
            "2 shared experts of 2048"));
  CHECK(has(error_of([] { plan_row(only_row(row("l", kEmptyDims, ",,,,1,64,1,,deepseek-v3")), zoo()); }),
            "moe_dense_layers 1 but model_card deepseek-v3 has 3"));
  CHECK(has(error_of([] { plan_row(only_row(row("t", kEmptyDims, ",,,,,,,mla,mixtral-8x7b")), zoo()); }), "has gqa"));
  // A dense card with MoE cells, and an unknown card.
  CHECK(has(error_of([] { plan_row(only_row(row("n", kEmptyDims, "8,,,,,,,,llama-2-7b")), zoo()); }),
            "moe_experts 8 but model_card llama-2-7b has 0"));
  CHECK(has(error_of([] { plan_row(only_row(row("u", kEmptyDims, ",,,,,,,,no-such-model")), zoo()); }), "model_card"));
}

TEST_CASE("validate moe: a dense model_card row simulates as the card") {
  // Llama 2 7B by name: the scenario's model is the zoo card itself.
  const RunRow r = only_row(row("llama", "Llama 2 7B,32,,,,,,", ",,,,,,,mha,llama-2-7b"));
  const Scenario s = row_scenario(r, plan_row(r, zoo()), {}, zoo());
  CHECK(s.model.name == "llama-2-7b");
  CHECK(s.model.hidden == 4096);
  CHECK(s.model.layers == 32);
}
