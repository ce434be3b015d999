// Bounded work for DeepSpeed's chunked loops (docs/limits.md "Work per run").
// DeepSpeed cuts a tensor of `total` elements into pieces of `piece` elements,
// the last one shorter, and works on them one after another (the ZeRO-1/2
// parameter all-gather in allgather_bucket_size buckets, runtime/utils.py
// all_gather_dp_groups; the optimizer step per sub_group_size sub-group,
// stage3.py _create_fp16_sub_groups). One instruction per piece would make the
// step's events grow without bound as the piece shrinks (a bucket of 1,000
// elements of a 70B model: 7e7 events), so consecutive equal pieces are
// coalesced into runs, at most `cap` of them: each run stands for `full`
// back-to-back pieces (plus the short last piece in the last run), timed as
// their sum. Bytes and busy time are unchanged; only the interleaving with
// other lanes gets coarser, by at most one run. When the pieces number `cap`
// or fewer, every run is a single piece, exactly as before. A larger piece
// never gives more runs: min(ceil(total / piece), cap).
#pragma once

#include <cstdint>
#include <vector>

namespace trainsim {

// Most runs one chunked loop may emit (docs/limits.md).
inline constexpr std::int64_t kMaxPieceRuns = 1024;

struct PieceRun {
  double full = 0;   // whole pieces of `piece` elements in this run
  double piece = 0;  // elements of a whole piece
  double tail = 0;   // elements of the shorter last piece (last run only; 0: none)
  double elements() const { return full * piece + tail; }
};

// `total` > 0 elements in pieces of `piece` > 0 elements, as at most `cap`
// runs in order; nothing for total <= 0.
std::vector<PieceRun> piece_runs(double total, double piece, std::int64_t cap = kMaxPieceRuns);

// `total` elements in `pieces` (>= 1, whole) equal pieces, as at most `cap`
// runs; nothing for total <= 0.
std::vector<PieceRun> equal_piece_runs(double total, double pieces, std::int64_t cap = kMaxPieceRuns);

// How many pieces DeepSpeed's loop makes: ceil(total / piece) (0 for
// total <= 0), as a double: it may exceed every integer type for tiny pieces.
double piece_count(double total, double piece);

}  // namespace trainsim
