// Where trainsim's data directory is: the folder holding models/, topologies/,
// scenarios/ and data/reference/ (a source tree, or PREFIX/share/trainsim of
// an installed copy). The front end gathers the places to look and the
// library picks the first that holds the data; it reads no environment and no
// /proc itself. The rule (docs/design.md §6):
//   1. $TRAINSIM_DATA, when set: it must be a data directory (a set variable
//      that points elsewhere is an error, not skipped);
//   2. beside the executable: EXE_DIR/../share/trainsim (an install), then
//      EXE_DIR/.. (a build folder inside its source tree);
//   3. the source tree the binary was built from (compiled in).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace trainsim {

// The environment variable that names the data directory.
inline constexpr const char* kDataDirEnv = "TRAINSIM_DATA";

// One place to look, and how to name it in messages ("$TRAINSIM_DATA",
// "beside the executable", "the build-time source tree").
struct DataDirCandidate {
  std::string what;
  std::filesystem::path dir;
};

// True when `dir` holds both models/ and topologies/.
bool is_data_dir(const std::filesystem::path& dir);

// The candidates of the rule above, in order. `env_value` is $TRAINSIM_DATA
// ("" when unset); `executable` the running binary's path ("" when unknown);
// `build_time_dir` the compiled-in source tree.
std::vector<DataDirCandidate> data_dir_candidates(const std::string& env_value, const std::filesystem::path& executable,
                                                  const std::filesystem::path& build_time_dir);

// The first candidate that is a data directory. Throws ConfigError when
// `env_value` is set and is not one, or when none is, naming every place it
// looked and what a data directory holds.
std::filesystem::path find_data_dir(const std::string& env_value, const std::filesystem::path& executable,
                                    const std::filesystem::path& build_time_dir);

}  // namespace trainsim
