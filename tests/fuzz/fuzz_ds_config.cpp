// libFuzzer target: the DeepSpeed ds_config.json importer (sim/import/deepspeed/ds_config.hpp).
// Input: byte 0 picks the route, the rest is the ds_config text.
//   even: parse_ds_config directly, against one of four fixed contexts (16 GPUs
//         pure DP; TP 2 x PP 2 with parallel.dp and global batch given; fp16
//         without clipping; 1 GPU with hidden 0);
//   odd:  the scenario loader's own path: load_scenario_string of a small fixed
//         scenario (llama-2-7b on two DGX A100 nodes) with --ds-config naming a
//         temporary file that holds the text, so the imported settings are also
//         merged into the scenario and checked there.
// Contract checked: bad input throws ConfigError (exit 2 in the CLI), nothing
// else escapes (no nlohmann::json exception), and no sanitizer finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/import/deepspeed/ds_config.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/load/zoo.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

trainsim::DsContext context(int which) {
  trainsim::DsContext c;
  switch (which % 4) {
    case 0: c.gpus = 16, c.hidden = 4096; break;
    case 1: c.gpus = 64, c.tp = 2, c.pp = 2, c.dp = 16, c.hidden = 8192, c.micro_batch = 2, c.global_batch = 256; break;
    case 2: c.gpus = 8, c.hidden = 5120, c.precision = "fp16", c.grad_clip = false; break;
    default: c.gpus = 1, c.hidden = 0; break;
  }
  return c;
}

void load(std::uint8_t which, const std::string& text) {
  using namespace trainsim;
  if (which % 2 == 0) {
    (void)parse_ds_config(text, "fuzz/ds_config.json", context(which / 2));
    return;
  }
  static const Zoo zoo(TRAINSIM_DEFAULT_DATA_DIR);
  static const std::string scenario =
      "model: llama-2-7b\ncluster: dgx-a100-80gb\nnodes: 2\ntraining:\n  seq_len: 2048\n  recompute: full\n";
  ImportOptions o;
  o.ds_config = fuzz::write_temp("ds", "ds_config.json", text);
  (void)load_scenario_string(scenario, TRAINSIM_DEFAULT_DATA_DIR "/scenarios/fuzz.yaml", {}, zoo, o);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return trainsim::fuzz::run_routed(data, size, load);
}
