// The parallel dimensions and the order ranks are numbered along them
// (parallel.order): the one parser of its grammar, shared by the scenario
// loader and the layout (sim/parallel/layout.hpp).
#pragma once

#include <array>
#include <string>

namespace trainsim {

enum class Dim { tp, cp, dp, pp };
const char* to_string(Dim d);

// The four dimensions, fastest-varying first.
using RankOrder = std::array<Dim, 4>;

// Megatron-LM RankGenerator's default "tp-cp-dp-pp" (ep = 1): TP innermost.
inline constexpr RankOrder kDefaultRankOrder{Dim::tp, Dim::cp, Dim::dp, Dim::pp};

// Parses "tp-cp-dp-pp" and its permutations: the four names tp, cp, dp and pp
// once each, joined by '-'. Throws ConfigError (key parallel.order, no file)
// saying what is wrong and what would be valid.
RankOrder parse_rank_order(const std::string& text);

// The names joined by '-', as parse_rank_order() reads them.
std::string to_string(const RankOrder& order);

}  // namespace trainsim
