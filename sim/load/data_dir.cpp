#include "sim/load/data_dir.hpp"

#include <system_error>

#include "sim/core/error.hpp"

namespace fs = std::filesystem;

namespace trainsim {
namespace {

bool is_folder(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

const char* kHolds = "a data directory holds models/ and topologies/";

}  // namespace

bool is_data_dir(const fs::path& dir) {
  return !dir.empty() && is_folder(dir / "models") && is_folder(dir / "topologies");
}

std::vector<DataDirCandidate> data_dir_candidates(const std::string& env_value, const fs::path& executable,
                                                  const fs::path& build_time_dir) {
  std::vector<DataDirCandidate> out;
  if (!env_value.empty()) out.push_back({std::string("$") + kDataDirEnv, fs::path(env_value)});
  if (!executable.empty()) {
    // PREFIX of PREFIX/bin/trainsim, or TREE of TREE/build/trainsim.
    fs::path above = executable.parent_path().parent_path();
    out.push_back({"the install prefix of the executable", above / "share" / "trainsim"});
    out.push_back({"the source tree around the executable's build folder", above});
  }
  if (!build_time_dir.empty()) out.push_back({"the build-time source tree", build_time_dir});
  return out;
}

fs::path find_data_dir(const std::string& env_value, const fs::path& executable, const fs::path& build_time_dir) {
  if (!env_value.empty() && !is_data_dir(env_value))
    throw ConfigError({kDataDirEnv, 0, ""}, "'" + env_value + "' is not a trainsim data directory (" + kHolds +
                                                "); point " + kDataDirEnv + " at one, or unset it");
  std::vector<DataDirCandidate> candidates = data_dir_candidates(env_value, executable, build_time_dir);
  for (const DataDirCandidate& c : candidates)
    if (is_data_dir(c.dir)) return c.dir;
  std::string looked;
  for (const DataDirCandidate& c : candidates) looked += "; " + c.what + " (" + c.dir.string() + ")";
  if (env_value.empty()) looked += std::string("; $") + kDataDirEnv + " (not set)";
  throw ConfigError({"data directory", 0, ""},
                    std::string("none found (") + kHolds + "). Looked in" + looked.substr(1) + ". Set " + kDataDirEnv +
                        " to one, or install with `cmake --install` (PREFIX/share/trainsim)");
}

}  // namespace trainsim
