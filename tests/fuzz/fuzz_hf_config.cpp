// libFuzzer target: the Hugging Face config.json reader (sim/import/hf/hf_config.hpp).
// Input: the JSON text. Contract checked: bad input throws ConfigError, nothing
// else escapes (no nlohmann::json exception), and no sanitizer finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/core/error.hpp"
#include "sim/import/hf/hf_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)trainsim::parse_hf_config(std::string(reinterpret_cast<const char*>(data), size), "fuzz/config.json");
  } catch (const trainsim::ConfigError&) {
  }
  return 0;
}
