#include "sim/spec/sharding.hpp"

#include <algorithm>

namespace trainsim {

int shard_dp(const ParallelPlan& p) { return p.dp_shard > 0 ? p.dp_shard : p.dp / std::max(1, p.dp_replicate); }

int replicate_dp(const ParallelPlan& p) { return p.dp / std::max(1, shard_dp(p)); }

double shard_ranks(const ParallelPlan& p) { return static_cast<double>(shard_dp(p)) * p.cp; }

int resolved_reshard(const Scenario& s) {
  int r = s.parallel.reshard_after_forward;
  if (r == defaults::kReshardAuto) r = 1;  // the frameworks' choices come from their profiles
  if (r >= 2 && r >= shard_ranks(s.parallel)) r = 0;
  return r;
}

bool pipeline_defers_reduction(const Scenario& s) { return s.parallel.zero_stage >= 2 && s.parallel.pp > 1; }

}  // namespace trainsim
