#include "sim/frontend/resolved_json.hpp"

namespace trainsim {

void add_resolved_deepspeed(const Scenario& s, nlohmann::json& summary) {
  if (s.imports.ds_config_file.empty()) return;
  nlohmann::json keys = nlohmann::json::object();
  for (const std::string& k : s.imports.ds_keys) keys[k] = s.resolved_texts.at(k);
  summary["resolved_deepspeed"] = {{"ds_config", nlohmann::json::parse(s.imports.resolved_ds_config)},
                                   {"scenario_keys", keys}};
}

}  // namespace trainsim
