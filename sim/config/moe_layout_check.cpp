// The expert layout rules (moe_layout_check.hpp). Megatron-core is the
// reference: megatron/core/parallel_state.py initialize_model_parallel (the
// expert RankGenerator), megatron/training/arguments.py validate_args and
// megatron/core/model_parallel_config.py __post_init__.
#include "sim/config/moe_layout_check.hpp"

#include <string>

namespace trainsim {
namespace {

std::string s(long long v) { return std::to_string(v); }

std::string divisors(long long n, long long limit) {
  std::string out;
  for (long long d = 1; d <= n && d <= limit; ++d)
    if (n % d == 0) out += (out.empty() ? "" : ", ") + s(d);
  return out;
}

// The stride of pp in the dense mesh and in the expert mesh (the dense order
// with tp -> etp, cp dropped, dp -> ep x expert-dp; sim/parallel/layout.hpp).
bool pipeline_groups_agree(const ParallelPlan& p) {
  long long dense = 1, expert = 1;
  for (Dim d : p.order) {
    if (d == Dim::pp) return dense == expert;
    dense *= d == Dim::tp ? p.tp : d == Dim::cp ? p.cp : p.dp;
    expert *= d == Dim::tp ? p.expert_tp() : d == Dim::cp ? 1 : 1LL * p.ep * p.expert_dp();
  }
  return true;
}

void check_dense(const Scenario& sc, std::vector<LayoutProblem>& out) {
  const ParallelPlan& p = sc.parallel;
  if (p.ep > 1)
    out.push_back(
        {"parallel.ep", "parallel.ep=" + s(p.ep) +
                            " splits the routed experts of a mixture-of-experts "
                            "model, but " +
                            sc.model.name +
                            " is dense (num_moe_experts 0; Megatron-LM: \"num_experts must be non None to use "
                            "expert model parallelism\", arguments.py); set ep: 1 or use an MoE model"});
  if (p.etp > 0 && p.etp != p.tp)
    out.push_back({"parallel.etp", "parallel.etp=" + s(p.etp) + " splits the experts' weights, but " + sc.model.name +
                                       " is dense and has no expert layers; drop parallel.etp (it defaults to tp)"});
  if (!sc.training.moe.token_histogram.empty())
    out.push_back({"training.moe_token_histogram",
                   sc.model.name + " is dense: it has no experts to route tokens to; drop the histogram"});
}

void check_sizes(const Scenario& sc, std::vector<LayoutProblem>& out) {
  const ParallelPlan& p = sc.parallel;
  const ModelSpec& m = sc.model;
  const int etp = p.expert_tp();
  if (m.moe_experts % p.ep != 0)
    out.push_back({"parallel.ep", "ep=" + s(p.ep) + " does not divide the " + s(m.moe_experts) + " routed experts of " +
                                      m.name +
                                      " (Megatron-LM: \"Number of experts should be a multiple of expert model "
                                      "parallel size\", arguments.py); valid ep: " +
                                      divisors(m.moe_experts, sc.gpus)});
  const long long dense = 1LL * p.tp * p.cp * p.dp, expert = 1LL * etp * p.ep;
  if (dense % expert != 0)
    out.push_back({"parallel.ep",
                   "etp x ep = " + s(etp) + " x " + s(p.ep) + " = " + s(expert) + " does not divide tp x cp x dp = " +
                       s(p.tp) + " x " + s(p.cp) + " x " + s(p.dp) + " = " + s(dense) +
                       ": the expert layers' mesh etp x ep x expert-dp x pp must cover the same " + s(sc.gpus) +
                       " GPUs (Megatron-core parallel_state.py: world size not divisible by "
                       "expert_tensor_model_pipeline_parallel size); choose etp x ep among the "
                       "divisors of " +
                       s(dense)});
  if (m.moe_ffn % etp != 0)
    out.push_back({p.etp > 0 ? "parallel.etp" : "parallel.tp",
                   "etp=" + s(etp) + " does not divide the expert FFN size " + s(m.moe_ffn) + " of " + m.name +
                       " (each expert's fc1/fc2 split over the expert-tensor-parallel group, experts.py)" +
                       (p.etp > 0 ? "" : "; etp defaults to tp, set parallel.etp to a divisor")});
  if (m.moe_shared_ffn % p.tp != 0)
    out.push_back({"parallel.tp", "tp=" + s(p.tp) + " does not divide the shared-expert FFN size " +
                                      s(m.moe_shared_ffn) + " of " + m.name +
                                      " (shared experts split over TP as a dense MLP, shared_experts.py)"});
}

void check_order(const Scenario& sc, std::vector<LayoutProblem>& out) {
  const ParallelPlan& p = sc.parallel;
  if (p.expert_dp() == 0 || p.pp == 1) return;
  const bool pp_last = p.order.back() == Dim::pp;
  if (!pp_last && p.expert_dp() != p.dp)
    out.push_back({"parallel.order", "order " + to_string(p.order) +
                                         " does not end in pp, so Megatron-core needs the "
                                         "attention and MoE layers' data-parallel sizes equal (parallel_state.py), but "
                                         "dp = " +
                                         s(p.dp) + " and expert-dp = tp x cp x dp / (etp x ep) = " + s(p.expert_dp()) +
                                         "; put pp last (tp-cp-dp-pp) or make etp x ep = tp x cp"});
  else if (!pipeline_groups_agree(p))
    out.push_back({"parallel.order", "with order " + to_string(p.order) +
                                         " the expert layers' pipeline groups differ from the dense layers' "
                                         "(Megatron-core parallel_state.py asserts they are the same); put pp last "
                                         "(tp-cp-dp-pp)"});
}

}  // namespace

void check_expert_layout(const Scenario& sc, std::vector<LayoutProblem>& out) {
  const ParallelPlan& p = sc.parallel;
  if (!sc.model.is_moe()) {
    check_dense(sc, out);
    return;
  }
  check_sizes(sc, out);
  check_order(sc, out);
  // Megatron-core ModelParallelConfig.__post_init__: "When using expert
  // parallelism and tensor parallelism, sequence parallelism must be used".
  if (p.ep > 1 && p.tp > 1 && !p.sequence_parallel)
    out.push_back({"parallel.sequence_parallel",
                   "ep=" + s(p.ep) + " with tp=" + s(p.tp) +
                       " needs sequence parallelism (Megatron-core model_parallel_config.py: \"When using expert "
                       "parallelism and tensor parallelism, sequence parallelism must be used\"); set "
                       "parallel.sequence_parallel: true"});
  const std::vector<double>& h = sc.training.moe.token_histogram;
  if (!h.empty() && h.size() != static_cast<std::size_t>(sc.model.moe_experts))
    out.push_back({"training.moe_token_histogram",
                   "the histogram has " + s(static_cast<long long>(h.size())) + " shares but " + sc.model.name +
                       " has " + s(sc.model.moe_experts) + " routed experts; give one share per routed expert"});
}

}  // namespace trainsim
