// libFuzzer target: the YAML readers — ConfigDoc (sim/config/config_doc.hpp)
// and the scenario, model-card, GPU-card and cluster-card loaders on top of it.
// Input: byte 0 picks the reader, the rest is the YAML text. Scenario and
// cluster references resolve through the real zoo (models/, topologies/).
// Contract checked: bad input throws ConfigError (exit 2 in the CLI), nothing
// else escapes, and no sanitizer finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/config/config_doc.hpp"
#include "sim/core/error.hpp"
#include "sim/load/hardware_loader.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/load/zoo.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

void load(std::uint8_t which, const std::string& yaml) {
  using namespace trainsim;
  static const Zoo zoo(TRAINSIM_DEFAULT_DATA_DIR);
  const std::string file = TRAINSIM_DEFAULT_DATA_DIR "/scenarios/fuzz.yaml";
  switch (which % 5) {
    case 0: (void)load_scenario_string(yaml, file, {}, zoo); break;
    case 1: (void)load_model_card_string(yaml, file); break;
    case 2: (void)load_gpu_card_string(yaml, file); break;
    case 3: (void)load_cluster_card_string(yaml, file, zoo); break;
    default: {
      // The raw document with a --set override taken from the text's first line.
      ConfigDoc d = ConfigDoc::load_string(yaml.substr(yaml.find('\n') + 1), file, scenario_keys());
      d.apply_override(yaml.substr(0, yaml.find('\n')));
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return trainsim::fuzz::run_routed(data, size, load);
}
