// Mixture-of-experts keys of the scenario table; defaults from scenario_defaults.hpp.
#include "sim/config/keys_moe.hpp"

#include "sim/spec/enum_names.hpp"
#include "sim/spec/limits.hpp"
#include "sim/spec/scenario_defaults.hpp"

namespace trainsim {
namespace {

namespace d = defaults;

KeyDef key(std::string path, ValueType type, std::string def, std::string help) {
  KeyDef k = KeyDef::of(std::move(path), type);
  k.default_value = std::move(def);
  k.help = std::move(help);
  return k;
}

}  // namespace

void add_moe_parallel_keys(std::vector<KeyDef>& k) {
  KeyDef ep = key("parallel.ep", ValueType::integer, std::to_string(d::kEp),
                  "expert-model-parallel size (Megatron-core --expert-model-parallel-size): the routed experts of "
                  "each MoE layer split over ep ranks; must divide the routed experts; a dense model takes 1. "
                  "Expert layers form their own mesh etp x ep x expert-dp x pp over the same GPUs, "
                  "expert-dp = tp x cp x dp / (etp x ep) (parallel_state.py, the expert RankGenerator; ep sits "
                  "before dp in parallel.order, as in Megatron's tp-cp-ep-dp-pp)");
  ep.min = 1;
  ep.max = kMaxParallel;
  k.push_back(ep);
  KeyDef etp = key("parallel.etp", ValueType::integer, "",
                   "expert-tensor-parallel size (Megatron-core --expert-tensor-parallel-size): each expert's "
                   "weights split over etp ranks; etp x ep must divide tp x cp x dp; default: parallel.tp");
  etp.min = 1;
  etp.max = kMaxParallel;
  k.push_back(etp);
}

void add_moe_training_keys(std::vector<KeyDef>& k) {
  KeyDef dispatcher = key("training.moe_dispatcher", ValueType::choice, enum_name(d::kMoeDispatcher),
                          "MoE token dispatcher (Megatron-core --moe-token-dispatcher-type, "
                          "megatron/core/transformer/moe/token_dispatcher.py): alltoall sends each token to the EP "
                          "ranks of its top-k experts and back; allgather gathers every token of the EP group on "
                          "each rank, which keeps those of its local experts");
  dispatcher.choices = enum_names<MoeDispatcher>();
  k.push_back(dispatcher);
  k.push_back(key("training.moe_grouped_gemm", ValueType::boolean, d::kMoeGroupedGemm ? "true" : "false",
                  "run a rank's local experts as one grouped GEMM (Megatron-core --moe-grouped-gemm, "
                  "experts.py GroupedMLP / TEGroupedMLP) instead of one GEMM per expert (SequentialMLP)"));
  k.push_back(key("training.moe_a2a_overlap", ValueType::boolean, d::kMoeA2aOverlap ? "true" : "false",
                  "overlap the dispatch and combine all-to-alls with the computation of another micro-batch "
                  "(Megatron-core --overlap-moe-expert-parallel-comm)"));
  KeyDef skew = key("training.moe_load_skew", ValueType::number, "1",
                    "routing imbalance: tokens of the busiest expert over the mean (1 = uniform); with dropless "
                    "routing the busiest expert sets the pace and the size of its rank's buffers");
  skew.min = 1;
  k.push_back(skew);
  KeyDef histogram = key("training.moe_token_histogram", ValueType::string, "",
                         "measured share of the routed tokens each expert receives: one number per routed expert "
                         "(a YAML list, or text like \"[0.2, 0.1, ...]\" with --set), normalised to sum 1; "
                         "overrides moe_load_skew");
  histogram.number_list = true;
  k.push_back(histogram);
}

}  // namespace trainsim
