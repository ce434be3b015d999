// The data-directory rule (sim/load/data_dir.hpp): $TRAINSIM_DATA first and
// never skipped when set, then beside the executable (PREFIX/share/trainsim,
// then the source tree around a build folder), then the build-time tree; an
// error naming every place looked when none holds models/ and topologies/.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "sim/core/error.hpp"
#include "sim/load/data_dir.hpp"

using namespace trainsim;
namespace fs = std::filesystem;

namespace {

// A fresh folder under the system's temporary directory, removed at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("trainsim_data_dir_test_" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Makes `dir` a data directory (models/ and topologies/).
fs::path make_data(const fs::path& dir) {
  fs::create_directories(dir / "models");
  fs::create_directories(dir / "topologies");
  return dir;
}

std::string error_of(const std::string& env, const fs::path& exe, const fs::path& built) {
  try {
    (void)find_data_dir(env, exe, built);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a data directory holds models/ and topologies/") {
  TempDir t;
  CHECK_FALSE(is_data_dir(t.path));
  fs::create_directories(t.path / "models");
  CHECK_FALSE(is_data_dir(t.path));
  fs::create_directories(t.path / "topologies");
  CHECK(is_data_dir(t.path));
  CHECK_FALSE(is_data_dir(""));
  CHECK(is_data_dir(TRAINSIM_DEFAULT_DATA_DIR));  // the source tree is one
}

TEST_CASE("candidates in order: $TRAINSIM_DATA, install prefix, source tree around the build, build time") {
  auto c = data_dir_candidates("/env/data", "/opt/ts/bin/trainsim", "/src/trainsim");
  REQUIRE(c.size() == 4);
  CHECK(c[0].dir == fs::path("/env/data"));
  CHECK(c[1].dir == fs::path("/opt/ts/share/trainsim"));
  CHECK(c[2].dir == fs::path("/opt/ts"));
  CHECK(c[3].dir == fs::path("/src/trainsim"));
  CHECK(has(c[0].what, "TRAINSIM_DATA"));
  // Unset variable and unknown executable: only the build-time tree.
  auto only = data_dir_candidates("", "", "/src/trainsim");
  REQUIRE(only.size() == 1);
  CHECK(only[0].dir == fs::path("/src/trainsim"));
}

TEST_CASE("the first candidate holding the data wins") {
  TempDir t;
  fs::path env = make_data(t.path / "env");
  fs::path prefix = t.path / "prefix";
  fs::path exe = prefix / "bin" / "trainsim";
  fs::path share = make_data(prefix / "share" / "trainsim");
  fs::path built = make_data(t.path / "src");

  CHECK(find_data_dir(env.string(), exe, built) == env);
  CHECK(find_data_dir("", exe, built) == share);
  fs::remove_all(share);
  CHECK(find_data_dir("", exe, built) == built);
  // A build folder inside a source tree: EXE_DIR/.. is the tree.
  fs::path tree = make_data(t.path / "tree");
  CHECK(find_data_dir("", tree / "build" / "trainsim", built) == tree);
  CHECK(find_data_dir("", "", built) == built);
}

TEST_CASE("a set $TRAINSIM_DATA that holds no data is an error, not skipped") {
  TempDir t;
  fs::path built = make_data(t.path / "src");
  std::string msg = error_of((t.path / "empty").string(), "", built);
  CHECK(has(msg, "TRAINSIM_DATA"));
  CHECK(has(msg, (t.path / "empty").string()));
  CHECK(has(msg, "models/ and topologies/"));
}

TEST_CASE("no candidate holding the data: the error names every place looked") {
  TempDir t;
  fs::path exe = t.path / "prefix" / "bin" / "trainsim";
  fs::path built = t.path / "moved-away";
  std::string msg = error_of("", exe, built);
  CHECK(has(msg, (t.path / "prefix" / "share" / "trainsim").string()));
  CHECK(has(msg, (t.path / "prefix").string()));
  CHECK(has(msg, built.string()));
  CHECK(has(msg, "TRAINSIM_DATA (not set)"));
  CHECK(has(msg, "cmake --install"));
}
