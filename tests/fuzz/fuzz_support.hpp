// What the libFuzzer targets that pick a route by the input's first byte
// share: the entry point's contract, and a per-process temporary file for the
// routes that read the text from disk (--ds-config, --hostfile).
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "sim/core/error.hpp"

namespace trainsim::fuzz {

// Byte 0 of the input picks the route, the rest is the text. Contract: bad
// input throws ConfigError (exit 2 in the CLI); anything else escapes and is
// a finding.
template <class Load>
int run_routed(const std::uint8_t* data, std::size_t size, Load load) {
  if (size == 0) return 0;
  try {
    load(data[0], std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  } catch (const ConfigError&) {
  }
  return 0;
}

// `text` written to NAME in a folder of the system's temporary directory
// owned by this process (TAG names the target); returns the file's path.
inline std::string write_temp(const std::string& tag, const std::string& name, const std::string& text) {
  static const std::filesystem::path dir = [&] {
    auto d = std::filesystem::temp_directory_path() / ("trainsim-fuzz-" + tag + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  const std::string path = (dir / name).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  return path;
}

}  // namespace trainsim::fuzz
