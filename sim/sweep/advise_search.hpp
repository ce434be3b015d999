// Private to advise.cpp: the candidate changes of a plan and the beam search
// over them (advise.hpp states the contract).
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "sim/search/plan_search.hpp"
#include "sim/sweep/advise.hpp"

namespace trainsim {

struct AdviceSearch {
  std::vector<PlanOutcome> outcomes;   // every plan evaluated, level by level, each level in a fixed order
  std::vector<std::size_t> evaluated;  // plans evaluated per number of changes (index 0: one change)
};

// Need over capacity of the tightest memory (GPU, host or NVMe): <= 1 fits.
double memory_ratio(const MemoryNeeds& n);

AdviceSearch search_changes(const ScenarioFactory& factory,
                            const std::vector<std::pair<std::string, std::string>>& moves,
                            const AdviseOptions& options);

}  // namespace trainsim
