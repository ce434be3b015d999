// The expert mesh of MoE layouts (sim/parallel/layout.hpp): EP, ETP and
// expert-DP groups as Megatron-core's expert RankGenerator builds them.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/parallel/layout.hpp"

using namespace trainsim;

namespace {

ParallelPlan plan(int tp, int pp, int dp, int cp, int ep, int etp) {
  ParallelPlan p;
  p.tp = tp;
  p.pp = pp;
  p.dp = dp;
  p.cp = cp;
  p.ep = ep;
  p.etp = etp;
  return p;
}

using Groups = std::vector<std::vector<int>>;

// An independent transcription of the algorithm Megatron-core documents for
// its RankGenerator (parallel_state.py generate_masked_orthogonal_rank_groups):
// sizes in order, fastest first; a rank is sum(index_i x prefix_product_i);
// the group of the masked dimensions holds every rank whose unmasked indices
// agree. Returns, for every rank, its group's members in index order.
std::vector<std::vector<int>> megatron_groups(const std::vector<int>& sizes, const std::vector<bool>& mask) {
  int world = 1;
  std::vector<int> stride;
  for (int s : sizes) {
    stride.push_back(world);
    world *= s;
  }
  std::vector<std::vector<int>> of(static_cast<std::size_t>(world));
  for (int r = 0; r < world; ++r) {
    for (int q = 0; q < world; ++q) {
      bool same = true;
      for (std::size_t i = 0; i < sizes.size(); ++i)
        if (!mask[i] && (r / stride[i]) % sizes[i] != (q / stride[i]) % sizes[i]) same = false;
      if (same) of[r].push_back(q);
    }
  }
  return of;
}

// Expert generator of the default order "tp-cp-ep-dp-pp" with cp = 1:
// sizes etp, 1, ep, edp, pp.
void check_against_megatron(int tp, int pp, int dp, int cp, int ep, int etp, int per_node = 8) {
  Layout l(plan(tp, pp, dp, cp, ep, etp), per_node);
  const int edp = tp * cp * dp / (etp * ep);
  const std::vector<int> sizes{etp, 1, ep, edp, pp};
  const auto ep_groups = megatron_groups(sizes, {false, false, true, false, false});
  const auto etp_groups = megatron_groups(sizes, {true, false, false, false, false});
  const auto edp_groups = megatron_groups(sizes, {false, false, false, true, false});
  const auto tp_ep_groups = megatron_groups(sizes, {true, false, true, false, false});
  const auto pp_groups = megatron_groups(sizes, {false, false, false, false, true});
  CAPTURE(tp);
  CAPTURE(pp);
  CAPTURE(dp);
  CAPTURE(cp);
  CAPTURE(ep);
  CAPTURE(etp);
  REQUIRE(l.expert_dp() == edp);
  for (int r = 0; r < l.world(); ++r) {
    CAPTURE(r);
    CHECK(l.ep_group(r) == ep_groups[r]);
    CHECK(l.etp_group(r) == etp_groups[r]);
    CHECK(l.expert_dp_group(r) == edp_groups[r]);
    CHECK(l.expert_tp_ep_group(r) == tp_ep_groups[r]);
    // Megatron asserts the expert and dense pipeline groups are the same.
    CHECK(l.group(Dim::pp, r) == pp_groups[r]);
    const ExpertCoord c = l.expert_coord(r);
    CHECK(l.ep_group(r)[c.ep] == r);
    CHECK(l.etp_group(r)[c.etp] == r);
    CHECK(l.expert_dp_group(r)[c.edp] == r);
    CHECK(c.pp == l.coord(r).pp);
  }
}

}  // namespace

TEST_CASE("expert groups follow Megatron-core's expert RankGenerator") {
  check_against_megatron(1, 2, 4, 1, 2, 1);  // 8 GPUs, EP 2 (EP groups {0,1}, {2,3}, ...)
  check_against_megatron(2, 1, 8, 1, 4, 2);  // ETP 2 x EP 4, expert-DP 2
  check_against_megatron(2, 2, 4, 1, 8, 1);  // EP 8 over TP x DP (etp 1 < tp)
  check_against_megatron(4, 2, 2, 2, 2, 1);  // CP 2: expert-DP = tp x cp x dp / (etp x ep) = 8
  check_against_megatron(1, 3, 4, 2, 8, 1);  // CP inside the EP group, uneven pp 3
  check_against_megatron(2, 2, 2, 1, 1, 1);  // ep 1, etp 1 < tp 2: expert-DP 4
}

TEST_CASE("the published 8-GPU example: PP 2, DP 4, EP 2") {
  // Megatron's layout for 8 GPUs, tp 1, pp 2, ep 2: EP groups pair neighbours,
  // expert-DP groups take every other rank of a stage, stages are 4 apart.
  Layout l(plan(1, 2, 4, 1, 2, 1), 8);
  CHECK(l.ep_group(0) == std::vector<int>{0, 1});
  CHECK(l.ep_group(6) == std::vector<int>{6, 7});
  CHECK(l.expert_dp_group(0) == std::vector<int>{0, 2});
  CHECK(l.expert_dp_group(5) == std::vector<int>{5, 7});
  CHECK(l.group(Dim::pp, 1) == std::vector<int>{1, 5});
  CHECK(l.etp_group(3) == std::vector<int>{3});
}

TEST_CASE("EP inside a node or across nodes") {
  // Mixtral on one DGX (8 GPUs): tp 1, ep 8: one EP group = the node.
  Layout node(plan(1, 1, 8, 1, 8, 1), 8);
  GroupPlacement g = node.placement(node.ep_group(3));
  CHECK((g.ranks == 8 && g.nodes == 1 && g.per_node == 8));
  CHECK(node.expert_dp_group(3) == std::vector<int>{3});
  // DeepSeek-V3's published layout: 2,048 GPUs, PP 16, EP 64, tp 1: dp 128,
  // expert-DP 2; an EP group spans 8 nodes, one stage's 128 ranks = 16 nodes.
  Layout ds(plan(1, 16, 128, 1, 64, 1), 8);
  CHECK(ds.world() == 2048);
  CHECK(ds.expert_dp() == 2);
  g = ds.placement(ds.ep_group(0));
  CHECK((g.ranks == 64 && g.nodes == 8 && g.per_node == 8));
  CHECK(ds.ep_group(200).front() == 192);
  CHECK(ds.expert_dp_group(5) == std::vector<int>{5, 69});
  g = ds.placement(ds.expert_dp_group(5));
  CHECK((g.ranks == 2 && g.nodes == 2));
  // TP 2 with ETP 1 and EP 8: an EP group takes 8 consecutive GPUs, crossing TP pairs.
  Layout mixed(plan(2, 1, 8, 1, 8, 1), 8);
  CHECK(mixed.ep_group(9) == std::vector<int>{8, 9, 10, 11, 12, 13, 14, 15});
  CHECK(mixed.expert_dp() == 2);
  CHECK(mixed.expert_dp_group(9) == std::vector<int>{1, 9});
}

TEST_CASE("a dense plan's expert mesh is the dense one") {
  Layout l(plan(4, 2, 8, 2, 1, 0), 8);  // etp 0 = tp
  CHECK(l.ep() == 1);
  CHECK(l.etp() == 4);
  CHECK(l.expert_dp() == 16);
  for (int r : {0, 13, 77, 127}) {
    CHECK(l.etp_group(r) == l.group(Dim::tp, r));
    CHECK(l.expert_dp_group(r) == l.data_group(r));
    CHECK(l.ep_group(r) == std::vector<int>{r});
  }
}

TEST_CASE("an expert mesh that does not cover the GPUs is refused") {
  bool threw = false;
  try {
    Layout l(plan(2, 1, 3, 1, 4, 1), 8);  // etp x ep = 4 does not divide tp x dp = 6
  } catch (const ConfigError&) {
    threw = true;
  }
  CHECK(threw);
}
