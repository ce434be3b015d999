#include "sim/workload/piece_runs.hpp"

#include <algorithm>
#include <cmath>

namespace trainsim {

double piece_count(double total, double piece) {
  if (total <= 0) return 0;
  return std::ceil(total / piece);
}

std::vector<PieceRun> piece_runs(double total, double piece, std::int64_t cap) {
  std::vector<PieceRun> runs;
  if (total <= 0) return runs;
  const double n = piece_count(total, piece);
  if (n <= static_cast<double>(cap)) {  // one run per piece, cut as DeepSpeed's loop cuts
    const auto count = static_cast<std::int64_t>(n);
    runs.reserve(static_cast<std::size_t>(count));
    for (std::int64_t k = 0; k < count; ++k) {
      const double e = std::min(piece, total - static_cast<double>(k) * piece);
      runs.push_back(e < piece ? PieceRun{0, piece, e} : PieceRun{1, piece, 0});
    }
    return runs;
  }
  const double whole = std::floor(total / piece);
  const double tail = total - whole * piece;
  const double per = std::floor(whole / static_cast<double>(cap));
  const double extra = whole - per * static_cast<double>(cap);  // the first `extra` runs take one more piece
  runs.reserve(static_cast<std::size_t>(cap));
  for (std::int64_t k = 0; k < cap; ++k) runs.push_back({per + (static_cast<double>(k) < extra ? 1 : 0), piece, 0});
  runs.back().tail = tail;
  return runs;
}

std::vector<PieceRun> equal_piece_runs(double total, double pieces, std::int64_t cap) {
  std::vector<PieceRun> runs;
  if (total <= 0 || pieces < 1) return runs;
  const double n = std::floor(pieces);
  const double piece = total / n;
  const double count = std::min(n, static_cast<double>(cap));
  const double per = std::floor(n / count), extra = n - per * count;
  runs.reserve(static_cast<std::size_t>(count));
  for (std::int64_t k = 0; static_cast<double>(k) < count; ++k)
    runs.push_back({per + (static_cast<double>(k) < extra ? 1 : 0), piece, 0});
  return runs;
}

}  // namespace trainsim
