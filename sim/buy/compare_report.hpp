// The outputs of `trainsim compare` (docs/compare.md): the terminal table
// (units in every header), one JSON document, a CSV with one row per
// candidate, and the SVG plot of effective time to train against cost with
// the Pareto front marked. Candidates are ranked by effective time to train,
// those without a fitting plan last, in file order.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/buy/compare_run.hpp"
#include "sim/report/svg_plot.hpp"

namespace trainsim {

// Indices of result.rows, best first.
std::vector<std::size_t> compare_ranking(const CompareResult& result);

std::string format_compare_table(const CompareResult& result);
nlohmann::json compare_json(const CompareResult& result);
std::string compare_csv(const CompareResult& result);
ScatterPlot compare_plot(const CompareResult& result);

}  // namespace trainsim
