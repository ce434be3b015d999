#include "sim/sweep/enumerate.hpp"

#include <algorithm>
#include <numeric>

#include "sim/config/units.hpp"
#include "sim/model/stage_split.hpp"

namespace trainsim {
namespace {

using Settings = std::vector<std::pair<std::string, std::string>>;

std::vector<int> divisors(int n) {
  std::vector<int> out;
  for (int d = 1; d <= n; ++d)
    if (n % d == 0) out.push_back(d);
  return out;
}

std::vector<int> powers_of_two(int max) {
  std::vector<int> out;
  for (int v = 1; v <= max; v *= 2) out.push_back(v);
  return out;
}

bool truthy(const std::string& t) { return parse_boolean(t).value_or(false); }  // checked by the sweep file reader

class Enumerator {
 public:
  Enumerator(const SweepBase& base, const EnumerateOptions& options,
             const std::map<std::string, std::vector<std::string>>& given, std::map<std::string, std::size_t>* skipped)
      : b_(base), o_(options), given_(given), skipped_(skipped) {}

  std::vector<Settings> run() {
    std::vector<int> tps = ints("parallel.tp", divisors(std::gcd(b_.model.heads, b_.model.kv_heads)));
    for (int tp : tps) {
      if (b_.model.heads % tp || b_.model.kv_heads % tp || b_.model.ffn % tp) {
        skip("parallel.tp: does not divide the heads, KV heads and FFN size");
      } else if (tp > b_.gpus_per_node && !o_.tp_across_nodes) {
        skip("parallel.tp: larger than a node (search_options.tp_across_nodes: false)");
      } else {
        for (int pp : ints("parallel.pp", divisors(b_.pp_layers))) pipeline(tp, pp);
      }
    }
    return std::move(out_);
  }

 private:
  struct Layout {
    int tp = 1, pp = 1, cp = 1, dp = 1, vp = 1;
    bool sp = false;
    int zero = 0;
    int ep = 0;  // 0: no parallel.ep setting (a dense model, and the file lists none)
  };

  void skip(const std::string& reason) {
    if (skipped_) ++(*skipped_)[reason];
  }

  // The listed values of `key` when the file lists them, else `fallback`.
  std::vector<int> ints(const std::string& key, std::vector<int> fallback) const {
    auto it = given_.find(key);
    if (it == given_.end()) return fallback;
    std::vector<int> out;
    for (const auto& v : it->second)
      if (v == kAutoValue)
        return fallback;
      else
        out.push_back(std::stoi(v));
    return out;
  }

  void pipeline(int tp, int pp) {
    if (b_.pp_layers % pp) return skip("parallel.pp: does not divide the layers");
    if (pp > 1 && !b_.pipeline_rule.pipeline)
      return skip("parallel.pp: no pipeline parallelism (framework profile " + b_.framework + ")");
    for (int cp : ints("parallel.cp", powers_of_two(o_.max_cp))) {
      long long model_parallel = 1LL * tp * pp * cp;
      if (b_.gpus % model_parallel) {
        skip("parallel: tp x pp x cp does not divide the GPU count");
        continue;
      }
      Layout l{tp, pp, cp, static_cast<int>(b_.gpus / model_parallel)};
      if (b_.global_batch % l.dp) {
        skip("training.global_batch: not a multiple of dp");
        continue;
      }
      // The layout check's rule over the pipeline items (stage_split.hpp).
      std::vector<int> vps = o_.interleave ? interleave_factors(b_.pp_layers, pp) : std::vector<int>{1};
      for (int vp : ints("parallel.vp", vps)) {
        if (vp > 1 && (pp < 2 || (b_.pp_layers / pp) % vp)) {
          skip("parallel.vp: does not divide the layers of a pipeline stage");
          continue;
        }
        l.vp = vp;
        experts(l);
      }
    }
  }

  // parallel.ep for an MoE model: the divisors of the routed experts whose expert mesh fits the
  // layout. Megatron-core's expert RankGenerator splits the tp x cp x dp ranks of a stage into
  // etp x ep x expert-dp, with etp = tp by default, so ep must divide cp x dp.
  void experts(Layout l) {
    const bool listed = given_.count("parallel.ep") > 0;
    if (!b_.model.is_moe() && !listed) return sequence(l);
    for (int ep : ints("parallel.ep", divisors(std::max(1, b_.model.moe_experts)))) {
      if (b_.model.is_moe() && b_.model.moe_experts % ep) {
        skip("parallel.ep: does not divide the routed experts");
      } else if ((1LL * l.cp * l.dp) % ep) {
        skip("parallel.ep: does not divide cp x dp (the expert-data-parallel size must be whole)");
      } else {
        l.ep = ep;
        sequence(l);
      }
    }
  }

  void sequence(Layout l) {
    std::vector<bool> sps{false};
    if (l.tp > 1) sps.push_back(true);
    if (auto it = given_.find("parallel.sequence_parallel"); it != given_.end()) {
      sps.clear();
      for (const auto& v : it->second) sps.push_back(truthy(v));
    }
    for (bool sp : sps) {
      l.sp = sp;
      for (int zero : ints("parallel.zero_stage", {0, 1, 2, 3})) {
        if (zero > b_.pipeline_rule.max_zero_with_pp && l.pp > 1) {
          skip("parallel.zero_stage: ZeRO stage > " + std::to_string(b_.pipeline_rule.max_zero_with_pp) +
               " with pp > 1 (framework profile " + b_.framework + ")");
          continue;
        }
        l.zero = zero;
        batches(l);
      }
    }
  }

  void batches(const Layout& l) {
    const int per_dp = b_.global_batch / l.dp;
    for (int mb : ints("training.micro_batch", powers_of_two(o_.max_micro_batch))) {
      if (per_dp % mb) {
        skip("training.micro_batch: does not divide the batch per DP rank");
        continue;
      }
      if (l.vp > 1 && (per_dp / mb) % l.pp) {
        skip("parallel.vp: interleaving needs a micro-batch count that is a multiple of pp");
        continue;
      }
      std::vector<std::string> rcs{"none", "selective", "full"};
      if (auto it = given_.find("training.recompute"); it != given_.end()) rcs = it->second;
      for (const auto& rc : rcs) emit(l, mb, rc);
    }
  }

  void emit(const Layout& l, int mb, const std::string& rc) {
    auto s = [](int v) { return std::to_string(v); };
    out_.push_back({{"parallel.tp", s(l.tp)},
                    {"parallel.pp", s(l.pp)},
                    {"parallel.cp", s(l.cp)},
                    {"parallel.vp", s(l.vp)},
                    {"parallel.sequence_parallel", l.sp ? "true" : "false"},
                    {"parallel.zero_stage", s(l.zero)},
                    {"training.micro_batch", s(mb)},
                    {"training.recompute", rc}});
    if (l.ep > 0) out_.back().emplace_back("parallel.ep", s(l.ep));
  }

  const SweepBase& b_;
  const EnumerateOptions& o_;
  const std::map<std::string, std::vector<std::string>>& given_;
  std::map<std::string, std::size_t>* skipped_;
  std::vector<Settings> out_;
};

}  // namespace

const std::vector<std::string>& enumerated_keys() {
  static const std::vector<std::string> keys = {
      "parallel.tp",         "parallel.pp",          "parallel.cp",        "parallel.vp", "parallel.sequence_parallel",
      "parallel.zero_stage", "training.micro_batch", "training.recompute", "parallel.ep"};
  return keys;
}

std::vector<Settings> enumerate_layouts(const SweepBase& base, const EnumerateOptions& options,
                                        const std::map<std::string, std::vector<std::string>>& given,
                                        std::map<std::string, std::size_t>* skipped) {
  return Enumerator(base, options, given, skipped).run();
}

}  // namespace trainsim
