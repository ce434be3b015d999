// libFuzzer target: torchtitan's job TOML importer (sim/import/torchtitan/titan_config.hpp).
// Input: byte 0 picks the route, the rest is the TOML text.
//   0: parse_titan_model (the [model] name and flavor -> a zoo card);
//   1: parse_titan_config for 8 GPUs and 32 layers (llama3 8B on one node);
//   2: parse_titan_config for 512 GPUs and 126 layers with --set parallel.tp=8
//      and parallel.pp=8 on the command line (the overrides win over the TOML);
//   3: the scenario loader's own path: load_scenario_string of a one-node
//      DGX H100 scenario with --torchtitan-config naming a temporary file that
//      holds the text, so the model is resolved through the zoo and the
//      imported settings are merged and checked.
// Contract checked: bad input throws ConfigError (exit 2 in the CLI), nothing
// else escapes (no toml::parse_error), and no sanitizer finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/import/torchtitan/titan_config.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/load/zoo.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

const std::string kFile = TRAINSIM_DEFAULT_DATA_DIR "/scenarios/torchtitan/fuzz.toml";

void load(std::uint8_t which, const std::string& text) {
  using namespace trainsim;
  switch (which % 4) {
    case 0: (void)parse_titan_model(text, kFile); break;
    case 1: {
      TitanContext c;
      c.gpus = 8, c.layers = 32;
      (void)parse_titan_config(text, kFile, c);
      break;
    }
    case 2: {
      TitanContext c;
      c.gpus = 512, c.layers = 126;
      c.overrides = {{"parallel.tp", 8}, {"parallel.pp", 8}};
      (void)parse_titan_config(text, kFile, c);
      break;
    }
    default: {
      static const Zoo zoo(TRAINSIM_DEFAULT_DATA_DIR);
      ImportOptions o;
      o.torchtitan_config = fuzz::write_temp("titan", "job.toml", text);
      (void)load_scenario_string("cluster: dgx-h100-80gb\nnodes: 1\n", TRAINSIM_DEFAULT_DATA_DIR "/scenarios/fuzz.yaml",
                                 {}, zoo, o);
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return trainsim::fuzz::run_routed(data, size, load);
}
