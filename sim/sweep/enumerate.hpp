// `search: all`: every valid layout of a model on a GPU count (docs/sweep.md).
//
// Dimensions, outermost first, and the values tried when the sweep file does
// not list its own:
//   parallel.tp                 divisors of gcd(heads, KV heads) that divide the FFN size, up to
//                               the GPUs of a node (search_options.tp_across_nodes: any)
//   parallel.pp                 divisors of the layer count (+ 2 with parallel.embedding_in_pp_split)
//   parallel.cp                 1, 2, 4, ... up to search_options.max_cp
//   (dp = GPUs / (tp pp cp), which must be whole and divide the global batch)
//   parallel.vp                 1, and with pp > 1 every v > 1 dividing layers / pp
//                               (search_options.interleave)
//   parallel.sequence_parallel  false, and true when tp > 1
//   parallel.zero_stage         0..3; with pp > 1 only the stages the framework's profile accepts
//                               (sim/spec/framework_profile.hpp; megatron-lm, DeepSpeed: <= 1)
//   training.micro_batch        1, 2, 4, ... up to search_options.max_micro_batch, dividing global_batch / dp
//                               (with vp > 1 the micro-batch count must be a multiple of pp:
//                               Megatron's interleaved schedule asserts it)
//   training.recompute          none, selective, full
//   parallel.ep                 MoE models only (or when the file lists it): the divisors of the
//                               routed experts that divide cp x dp (expert mesh etp x ep x expert-dp
//                               over tp x cp x dp with etp = tp, Megatron-core's expert RankGenerator)
// Values the file lists for a dimension replace its defaults and pass the same
// checks. A combination that fails a check is left out and counted under its
// reason (one count per value left out at the level where it fails).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/sweep/sweep_file.hpp"

namespace trainsim {

// The dotted keys enumerate_layouts sets, in point order (outermost first).
const std::vector<std::string>& enumerated_keys();

// One setting per enumerated key for every valid layout. `given` maps a
// dimension's key to the values the file lists ("auto" for parallel.vp means
// the default). `skipped` (may be null) counts what was left out, by reason.
std::vector<std::vector<std::pair<std::string, std::string>>> enumerate_layouts(
    const SweepBase& base, const EnumerateOptions& options,
    const std::map<std::string, std::vector<std::string>>& given, std::map<std::string, std::size_t>* skipped);

}  // namespace trainsim
