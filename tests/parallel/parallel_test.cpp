// Layouts (rank <-> coordinates <-> GPU, process groups) and pipeline
// schedules (sim/parallel/layout.hpp, schedule.hpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "sim/core/error.hpp"
#include "sim/memory/inflight.hpp"
#include "sim/parallel/layout.hpp"
#include "sim/parallel/schedule.hpp"

using namespace trainsim;

namespace {

ParallelPlan plan(int tp, int pp, int dp, int cp = 1) {
  ParallelPlan p;
  p.tp = tp;
  p.pp = pp;
  p.dp = dp;
  p.cp = cp;
  return p;
}

std::vector<int> test_ranks(int from, int to) {
  std::vector<int> v;
  for (int r = from; r < to; ++r) v.push_back(r);
  return v;
}

}  // namespace

TEST_CASE("Megatron order: TP innermost inside a node, pipeline stages outermost") {
  Layout l(plan(8, 8, 16), 8);
  CHECK(l.world() == 1024);
  RankCoord c = l.coord(0);
  CHECK((c.dp == 0 && c.pp == 0 && c.tp == 0));
  c = l.coord(7);
  CHECK((c.tp == 7 && c.dp == 0 && c.pp == 0));
  c = l.coord(8);
  CHECK((c.tp == 0 && c.dp == 1 && c.pp == 0));
  c = l.coord(128);
  CHECK((c.tp == 0 && c.dp == 0 && c.pp == 1));
  for (int r : {0, 5, 77, 1023}) CHECK(l.rank(l.coord(r)) == r);
  // A TP group is one node; a DP group has one GPU on each of 16 nodes.
  GroupPlacement tp = l.placement(l.group(Dim::tp, 9));
  CHECK((tp.ranks == 8 && tp.nodes == 1 && tp.per_node == 8));
  std::vector<int> dp = l.group(Dim::dp, 9);
  CHECK(dp.front() == 1);
  CHECK(dp[1] == 9);
  GroupPlacement dpp = l.placement(dp);
  CHECK((dpp.ranks == 16 && dpp.nodes == 16 && dpp.per_node == 1));
  std::vector<int> pp = l.group(Dim::pp, 3);
  CHECK(pp.size() == 8);
  CHECK(pp.back() == 3 + 7 * 128);
}

TEST_CASE("every rank belongs to exactly one group of each dimension, of the right size") {
  Layout l(plan(2, 3, 4, 2), 4);
  CHECK(l.world() == 48);
  for (Dim d : {Dim::tp, Dim::cp, Dim::dp, Dim::pp}) {
    std::set<std::vector<int>> groups;
    for (int r = 0; r < l.world(); ++r) {
      std::vector<int> g = l.group(d, r);
      CHECK(static_cast<int>(g.size()) == l.size(d));
      CHECK(std::find(g.begin(), g.end(), r) != g.end());
      groups.insert(g);
    }
    CHECK(static_cast<int>(groups.size()) == l.world() / l.size(d));
  }
  CHECK(l.shard_group(5).size() == 8u);
}

TEST_CASE("a custom order moves DP innermost") {
  Layout l(plan(2, 1, 4), 8, parse_rank_order("dp-tp-cp-pp"));
  CHECK(l.coord(1).dp == 1);
  CHECK(l.coord(4).tp == 1);
  CHECK(l.order() == "dp-tp-cp-pp");
  // A bad order is the user's to fix: ConfigError naming parallel.order.
  CHECK_THROWS_AS(parse_rank_order("dp-tp-pp"), ConfigError);
  CHECK_THROWS_AS(parse_rank_order("dp-tp-tp-pp"), ConfigError);
  CHECK_THROWS_AS(parse_rank_order("dp-tp-cp-pp-ep"), ConfigError);
  try {
    parse_rank_order("dp-tp-xp-pp");
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(e.where().key == "parallel.order");
    CHECK(e.message().find("unknown dimension 'xp'") != std::string::npos);
  }
  CHECK(to_string(parse_rank_order("tp-cp-dp-pp")) == "tp-cp-dp-pp");
  CHECK(parse_rank_order("tp-cp-dp-pp") == kDefaultRankOrder);
}

TEST_CASE("1F1B: warm-up forwards, then alternate, every pass once") {
  auto order = stage_schedule(Schedule::one_f_one_b, 4, 1, 1, 6);
  REQUIRE(order.size() == 12u);
  // Stage 1 of 4 warms up with 2 forwards.
  CHECK((order[0].forward && order[1].forward && order[2].forward && !order[3].forward));
  CHECK(order[3].micro_batch == 0);
  CHECK(!order.back().forward);
  CHECK(order.back().micro_batch == 5);
  // GPipe: all forwards first.
  auto g = stage_schedule(Schedule::gpipe, 4, 1, 3, 5);
  for (int k = 0; k < 5; ++k) CHECK(g[k].forward);
  // p = 1: gradient accumulation.
  auto a = stage_schedule(Schedule::one_f_one_b, 1, 1, 0, 3);
  CHECK((a[0].forward && !a[1].forward && a[2].forward));
}

TEST_CASE("each schedule's in-flight peak equals the memory model's count") {
  for (Schedule sch : {Schedule::gpipe, Schedule::one_f_one_b, Schedule::interleaved_1f1b})
    for (int pp : {2, 4})
      for (int m : {4, 8, 12}) {
        int vp = sch == Schedule::interleaved_1f1b ? 2 : 1;
        for (int stage = 0; stage < pp; ++stage) {
          auto order = stage_schedule(sch, pp, vp, stage, m);
          CHECK(static_cast<int>(order.size()) == 2 * m * vp);
          std::vector<int> live(vp, 0), peak(vp, 0);
          int total = 0, peak_total = 0;
          for (const PassItem& it : order) {
            int d = it.forward ? 1 : -1;
            live[it.chunk] += d;
            total += d;
            CHECK(live[it.chunk] >= 0);
            if (!it.forward && total + 1 > peak_total) {
              peak_total = total + 1;
              for (int c = 0; c < vp; ++c) peak[c] = live[c] + (c == it.chunk ? 1 : 0);
            }
          }
          std::vector<int> expected = in_flight_per_chunk(sch, pp, vp, stage, m);
          int sum = 0;
          for (int v : expected) sum += v;
          CAPTURE(pp);
          CAPTURE(m);
          CAPTURE(stage);
          CAPTURE(static_cast<int>(sch));
          CHECK(peak_total == sum);
        }
      }
}

TEST_CASE("interleaved: backwards of a micro-batch visit chunks in reverse of its forwards") {
  auto order = stage_schedule(Schedule::interleaved_1f1b, 2, 2, 0, 4);
  std::vector<int> fwd_chunks, bwd_chunks;
  for (const PassItem& it : order)
    if (it.micro_batch == 0) (it.forward ? fwd_chunks : bwd_chunks).push_back(it.chunk);
  CHECK(fwd_chunks == std::vector<int>{0, 1});
  CHECK(bwd_chunks == std::vector<int>{1, 0});
  CHECK(virtual_stage(0, 1, 2) == 2);
}

// HSDP (sim/spec/sharding.hpp): dp = dp_replicate x dp_shard, the dp
// coordinate replica x dp_shard + shard index (torchtitan's mesh puts
// dp_replicate outside dp_shard).
TEST_CASE("HSDP: shard groups of dp_shard x cp ranks, replicate groups across them") {
  ParallelPlan p = plan(1, 1, 16);
  p.zero_stage = 3;
  p.dp_replicate = 2;
  Layout l(p, 8);
  // Default order tp-cp-dp-pp with tp = cp = 1: dp index = rank.
  CHECK(l.shard_group(3) == test_ranks(0, 8));
  CHECK(l.shard_group(12) == test_ranks(8, 16));
  CHECK(l.replicate_group(3) == std::vector<int>{3, 11});
  const GroupPlacement shard = l.placement(l.shard_group(0)), rep = l.placement(l.replicate_group(0));
  CHECK(shard.ranks == 8);
  CHECK(shard.nodes == 1);
  CHECK(rep.ranks == 2);
  CHECK(rep.nodes == 2);
  CHECK(rep.per_node == 1);
  // Without HSDP the shard group is the data group and nothing replicates.
  Layout flat(plan(1, 1, 16), 8);
  CHECK(flat.shard_group(3) == flat.data_group(3));
  CHECK(flat.replicate_group(3) == std::vector<int>{3});
  // ZeRO-0 shards nothing: dp_replicate leaves one all-reduce group.
  p.zero_stage = 0;
  CHECK(Layout(p, 8).shard_group(3).size() == 16u);
}

TEST_CASE("HSDP with CP: the shard group is dp_shard x cp, the replicate group keeps the cp coordinate") {
  ParallelPlan p = plan(1, 1, 4, 2);
  p.zero_stage = 3;
  p.dp_shard = 2;
  p.dp_replicate = 2;
  Layout l(p, 8);  // cp stride 1, dp stride 2
  CHECK(l.shard_group(0) == std::vector<int>{0, 1, 2, 3});
  CHECK(l.shard_group(5) == std::vector<int>{4, 5, 6, 7});
  CHECK(l.replicate_group(1) == std::vector<int>{1, 5});
}

TEST_CASE("reshard_after_forward N: the N consecutive ranks of the shard group") {
  ParallelPlan p = plan(1, 1, 16);
  p.zero_stage = 3;
  p.reshard_after_forward = 4;
  Layout l(p, 8);
  CHECK(l.reshard_group(6) == std::vector<int>{4, 5, 6, 7});
  CHECK(l.reshard_group(13) == std::vector<int>{12, 13, 14, 15});
  CHECK(l.placement(l.reshard_group(0)).nodes == 1);
}
