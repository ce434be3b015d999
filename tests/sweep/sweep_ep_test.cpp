// EP as a dimension of `search: all` (sim/sweep/enumerate.hpp): for an MoE model every divisor
// of the routed experts that divides cp x dp (Megatron-core's expert mesh etp x ep x expert-dp
// over tp x cp x dp, etp = tp), counted by reason when left out; none for a dense model.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "sim/sweep/enumerate.hpp"

using namespace trainsim;

namespace {

// Mixtral-8x7B's shape (models/mixtral-8x7b.yaml) on 16 GPUs.
SweepBase mixtral16() {
  SweepBase b;
  b.model.layers = b.pp_layers = 32, b.model.heads = 32, b.model.kv_heads = 8, b.model.ffn = 14336;
  b.model.moe_experts = 8, b.model.moe_topk = 2, b.model.moe_ffn = 14336;
  b.gpus = 16, b.gpus_per_node = 8, b.global_batch = 64, b.seq_len = 4096;
  return b;
}

std::string value(const std::vector<std::pair<std::string, std::string>>& l, const std::string& key) {
  for (const auto& kv : l)
    if (kv.first == key) return kv.second;
  return "";
}

}  // namespace

TEST_CASE("search: all enumerates parallel.ep for an MoE model: divisors of the experts dividing cp x dp") {
  EnumerateOptions o;
  o.max_micro_batch = 1, o.interleave = false;
  const std::map<std::string, std::vector<std::string>> given{{"parallel.zero_stage", {"1"}},
                                                              {"training.recompute", {"full"}}};
  std::map<std::string, std::size_t> skipped;
  std::map<std::pair<int, int>, std::set<int>> eps;  // (tp, pp) -> ep values
  for (const auto& l : enumerate_layouts(mixtral16(), o, given, &skipped)) {
    REQUIRE(l.size() == enumerated_keys().size());
    const int tp = std::stoi(value(l, "parallel.tp")), pp = std::stoi(value(l, "parallel.pp"));
    eps[{tp, pp}].insert(std::stoi(value(l, "parallel.ep")));
  }
  // tp 1 pp 1: dp 16, every divisor of 8; tp 8 pp 1: dp 2, ep 1 or 2; tp 8 pp 2: dp 1, ep 1.
  CHECK(eps.at({1, 1}) == std::set<int>{1, 2, 4, 8});
  CHECK(eps.at({8, 1}) == std::set<int>{1, 2});
  CHECK(eps.at({8, 2}) == std::set<int>{1});
  CHECK(skipped.at("parallel.ep: does not divide cp x dp (the expert-data-parallel size must be whole)") > 0);
  // A listed value that does not divide the experts is left out under its reason.
  std::map<std::string, std::size_t> listed_skips;
  auto listed = given;
  listed["parallel.ep"] = {"3", "4"};
  for (const auto& l : enumerate_layouts(mixtral16(), o, listed, &listed_skips)) CHECK(value(l, "parallel.ep") == "4");
  CHECK(listed_skips.at("parallel.ep: does not divide the routed experts") > 0);
}

TEST_CASE("search: all sets no parallel.ep for a dense model unless the file lists it") {
  SweepBase b = mixtral16();
  b.model.moe_experts = 0;
  EnumerateOptions o;
  o.max_micro_batch = 1;
  for (const auto& l : enumerate_layouts(b, o, {}, nullptr)) CHECK(value(l, "parallel.ep").empty());
}
