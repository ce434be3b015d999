// The JSON document of `trainsim advise --json` (docs/usage.md "advise"): the
// given plan, its largest memory terms, the suggestions and the best plan for
// each number of changed keys. The CLI and the Python package print the same.
#pragma once

#include <nlohmann/json.hpp>

#include "sim/sweep/advise.hpp"

namespace trainsim {

nlohmann::json advice_json(const Advice& a);

}  // namespace trainsim
