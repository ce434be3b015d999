// libFuzzer target: the Megatron-LM flags importer (sim/import/megatron/megatron_args.hpp)
// and the DeepSpeed hostfile reader (sim/import/deepspeed/hostfile.hpp).
// Input: byte 0 picks the route, the rest is the text.
//   0: parse_megatron_args, no model card, scenario TP 1 / PP 1;
//   1: parse_megatron_args against the llama-2-7b card, scenario TP 2 / PP 2;
//   2: load_scenario_string of a small fixed scenario naming llama-2-7b, with
//      --megatron-args = the text (the scenario loader's own path);
//   3: the same with a scenario that names no model (the flags must build it);
//   4: parse_hostfile of the text;
//   5: load_scenario_string with --hostfile naming a temporary file holding the text.
// Contract checked: bad input throws ConfigError (exit 2 in the CLI), nothing
// else escapes, and no sanitizer finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/import/deepspeed/hostfile.hpp"
#include "sim/import/megatron/megatron_args.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/load/zoo.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

const std::string kFile = TRAINSIM_DEFAULT_DATA_DIR "/scenarios/fuzz.yaml";

void load(std::uint8_t which, const std::string& text) {
  using namespace trainsim;
  static const Zoo zoo(TRAINSIM_DEFAULT_DATA_DIR);
  static const ModelSpec llama = load_model(TRAINSIM_DEFAULT_DATA_DIR "/models/llama-2-7b.yaml");
  const SourceLocation cli{"--megatron-args", 0, "--megatron-args"};
  switch (which % 6) {
    case 0: (void)parse_megatron_args(text, cli, {}); break;
    case 1: {
      MegatronContext c;
      c.scenario_tp = 2, c.scenario_pp = 2;
      c.base = &llama;
      c.base_where = {kFile, 1, "model"};
      (void)parse_megatron_args(text, cli, c);
      break;
    }
    case 2:
    case 3: {
      ImportOptions o;
      o.megatron_args = text;
      const std::string scenario = which % 6 == 2 ? "model: llama-2-7b\ncluster: dgx-a100-80gb\nnodes: 2\n"
                                                  : "cluster: dgx-a100-80gb\ngpus: 64\n";
      (void)load_scenario_string(scenario, kFile, {}, zoo, o);
      break;
    }
    case 4: (void)parse_hostfile(text, "fuzz/hostfile"); break;
    default: {
      ImportOptions o;
      o.hostfile = fuzz::write_temp("mg", "hostfile", text);
      (void)load_scenario_string("model: llama-2-7b\ncluster: dgx-a100-80gb\n", kFile, {}, zoo, o);
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return trainsim::fuzz::run_routed(data, size, load);
}
