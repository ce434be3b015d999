// Every file reader takes its text through read_input_file (sim/spec/input_file.hpp)
// and the YAML/JSON readers through load_yaml / read_json (docs/limits.md "Input
// files"): special files, oversized files, deep nesting, long keys, duplicate
// keys and second YAML documents are refused naming the file and line; a UTF-8
// byte order mark and DeepSpeed's hjson comments and trailing commas are read.
// Regression tests of issue 25.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <ctime>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "sim/config/config_doc.hpp"
#include "sim/config/json_read.hpp"
#include "sim/config/units.hpp"
#include "sim/cost/compute_profile.hpp"
#include "sim/import/deepspeed/ds_config.hpp"
#include "sim/import/deepspeed/hostfile.hpp"
#include "sim/import/hf/hf_config.hpp"
#include "sim/import/torchtitan/titan_config.hpp"
#include "sim/load/hardware_loader.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/spec/input_file.hpp"
#include "sim/spec/limits.hpp"
#include "sim/sweep/sweep_file.hpp"
#include "sim/validate/runs_csv.hpp"
#include "tests/test_util.hpp"

using namespace trainsim;
using trainsim::test::error_of;
using trainsim::test::has;

namespace fs = std::filesystem;

namespace {

// A fresh folder for this test program's files.
fs::path scratch() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("trainsim_input_files_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

std::string write(const std::string& name, const std::string& text) {
  fs::path p = scratch() / name;
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct NamedReader {
  const char* name;
  std::function<void(const std::string&)> read;
};

// Every reader of a file path in the library.
std::vector<NamedReader> readers() {
  return {
      {"scenario", [](const std::string& p) { ConfigDoc::load_file(p, scenario_keys()); }},
      {"model card", [](const std::string& p) { load_model(p); }},
      {"config.json", [](const std::string& p) { load_hf_config(p); }},
      {"GPU card", [](const std::string& p) { load_gpu_card(p); }},
      {"cluster card", [](const std::string& p) { load_cluster_card(p, test::zoo()); }},
      {"sweep file", [](const std::string& p) { load_sweep_file(p); }},
      {"ds_config", [](const std::string& p) { read_ds_config(p, DsContext{}); }},
      {"hostfile", [](const std::string& p) { read_hostfile(p); }},
      {"runs CSV", [](const std::string& p) { read_runs_csv(p); }},
      {"torchtitan TOML", [](const std::string& p) { read_titan_config(p, TitanContext{}); }},
      {"compute profile", [](const std::string& p) { load_compute_profile(p); }},
  };
}

void refused_by_every_reader(const std::string& path, const std::string& what) {
  for (const NamedReader& r : readers()) {
    CAPTURE(r.name);
    std::string msg = error_of([&] { r.read(path); });
    CHECK(has(msg, path));
    CHECK(has(msg, what));
  }
}

}  // namespace

TEST_CASE("input files: a directory is refused by every reader, saying so") {
  fs::create_directories(scratch() / "a_folder");
  refused_by_every_reader((scratch() / "a_folder").string(), "is a directory");
}

TEST_CASE("input files: a FIFO is refused without blocking") {
  const std::string fifo = (scratch() / "a_fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  refused_by_every_reader(fifo, "is a FIFO (named pipe)");
}

TEST_CASE("input files: /dev/zero and /dev/null are refused as character devices") {
  refused_by_every_reader("/dev/zero", "is a character device");
  refused_by_every_reader("/dev/null", "is a character device");
}

TEST_CASE("input files: a socket is refused") {
  const std::string path = (scratch() / "a_socket").string();
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  REQUIRE(path.size() < sizeof addr.sun_path);
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
  refused_by_every_reader(path, "is a socket");
  ::close(fd);
}

TEST_CASE("input files: a file past the size cap is refused before it is read, with its size") {
  const std::string big = (scratch() / "big.yaml").string();
  { std::ofstream(big) << "model: x\n"; }
  fs::resize_file(big, 3'000'000'000ULL);  // sparse: no disk used
  std::string cap = std::to_string(kMaxInputFileBytes >> 20) + " MiB";
  refused_by_every_reader(big, "is a 3.0 GB file; trainsim reads input files of at most " + cap);
  fs::remove(big);
}

TEST_CASE("input files: a missing file says so") {
  refused_by_every_reader((scratch() / "no_such_file").string(), "no such file");
}

TEST_CASE("input files: a UTF-8 byte order mark is skipped (CSV, YAML, JSON)") {
  const std::string bom = "\xEF\xBB\xBF";
  const fs::path runs = fs::path(TRAINSIM_DEFAULT_DATA_DIR) / "data" / "reference" / "calibration_runs.csv";
  const std::string csv = slurp(runs);
  const RunsTable plain = read_runs_csv(runs.string());
  CHECK(read_runs_csv(write("bom_runs.csv", bom + csv)).rows.size() == plain.rows.size());
  CHECK(parse_runs_csv(bom + csv, "bom.csv").rows.size() == plain.rows.size());

  ConfigDoc d = ConfigDoc::load_file(write("bom.yaml", bom + "model: gpt3-175b\n"), scenario_keys());
  CHECK(d.get_string("model") == "gpt3-175b");
  DsConfigResult ds = read_ds_config(write("bom.json", bom + R"({"train_batch_size": 8})"), DsContext{});
  CHECK_FALSE(ds.settings.empty());
}

TEST_CASE("YAML: a key given twice in one map is an error naming both lines") {
  std::string msg =
      error_of([] { ConfigDoc::load_string("model: a\ncluster: b\nmodel: c\n", "s.yaml", scenario_keys()); });
  CHECK(has(msg, "s.yaml:3: model: duplicate key: already given on line 1"));
  msg = error_of([] { ConfigDoc::load_string("parallel:\n  tp: 2\n  pp: 1\n  tp: 4\n", "s.yaml", scenario_keys()); });
  CHECK(has(msg, "s.yaml:4: parallel.tp: duplicate key: already given on line 2"));
  msg = error_of([] { ConfigDoc::load_string("parallel: {tp: 2, tp: 4}\n", "s.yaml", scenario_keys()); });
  CHECK(has(msg, "s.yaml:1: parallel.tp: duplicate key"));
  msg = error_of([] { load_model_card_string("layers: 2\nhidden: 64\nlayers: 4\n", "m.yaml"); });
  CHECK(has(msg, "m.yaml:3: layers: duplicate key: already given on line 1"));
  msg = error_of([] { load_sweep_string("model: gpt3-175b\nmodel: gpt3-175b\n", "w.yaml"); });
  CHECK(has(msg, "w.yaml:2: model: duplicate key: already given on line 1"));
  // The same key in two different maps is fine.
  CHECK(error_of([] {
          ConfigDoc::load_string("model: {layers: 2}\nparallel: {tp: 2}\n", "s.yaml", scenario_keys());
        }) == "(no error)");
}

TEST_CASE("YAML: a second document is an error naming its line") {
  std::string msg = error_of([] { ConfigDoc::load_string("model: a\n---\nmodel: b\n", "s.yaml", scenario_keys()); });
  CHECK(has(msg, "s.yaml:2: a second YAML document starts here"));
  msg = error_of([] { load_sweep_string("model: a\n...\n---\nparallel: {tp: 2}\n", "w.yaml"); });
  CHECK(has(msg, "w.yaml:3: a second YAML document"));
  // A leading "---" is one document.
  CHECK(ConfigDoc::load_string("---\nmodel: a\n", "s.yaml", scenario_keys()).get_string("model") == "a");
}

TEST_CASE("YAML: nesting past the cap is refused before a tree is built, naming the line") {
  const std::string deep(70'000, '[');
  std::string msg = error_of([&] { ConfigDoc::load_string("model: " + deep + "\n", "s.yaml", scenario_keys()); });
  CHECK(has(msg, "s.yaml:1: model: maps and lists nested deeper than " + std::to_string(kMaxNestingDepth)));
  std::string block;
  for (int i = 0; i < kMaxNestingDepth + 1; ++i) block += std::string(static_cast<size_t>(i), ' ') + "k:\n";
  msg = error_of([&] { load_sweep_string(block, "w.yaml"); });
  CHECK(has(msg, "w.yaml:" + std::to_string(kMaxNestingDepth + 1) + ":"));
  CHECK(has(msg, "nested deeper than"));
}

TEST_CASE("YAML: a key past the key-length cap is refused in our words, naming the line") {
  const std::string k300(300, 'k'), k2000(2000, 'k');
  std::string msg = error_of([&] { ConfigDoc::load_string("model: a\n" + k300 + ": 1\n", "s.yaml", scenario_keys()); });
  CHECK(has(msg, "s.yaml:2:"));
  CHECK(has(msg, "a key of 300 bytes; trainsim reads keys of at most " + std::to_string(kMaxKeyLength)));
  CHECK(msg.size() < 400);  // the key is shown cut
  // yaml-cpp itself refuses a plain key past 1,024 bytes ("illegal map value").
  msg = error_of([&] { ConfigDoc::load_string("model: a\n" + k2000 + ": 1\n", "s.yaml", scenario_keys()); });
  CHECK(has(msg, "s.yaml:2:"));
  CHECK(has(msg, "a key of 2000 bytes"));
}

TEST_CASE("JSON: nesting past the cap is refused before any copy (a 70,000-deep ds_config crashed)") {
  std::string deep;
  for (int i = 0; i < 70'000; ++i) deep += "{\"a\":";
  deep += "1" + std::string(70'000, '}');
  std::string msg = error_of([&] { parse_ds_config(deep, "ds.json", DsContext{}); });
  CHECK(has(msg, "ds.json:1: objects and arrays nested deeper than " + std::to_string(kMaxNestingDepth)));
  msg = error_of([&] { parse_hf_config("{\"x\":\n" + std::string(70'000, '[') + "\n", "config.json"); });
  CHECK(has(msg, "config.json:2: objects and arrays nested deeper than"));
}

TEST_CASE("JSON: duplicate keys are errors naming both lines (DeepSpeed refuses them)") {
  const std::string ds =
      "{\n  \"train_batch_size\": 8,\n  \"zero_optimization\": {\n    \"stage\": 1,\n"
      "    \"stage\": 3\n  }\n}\n";
  std::string msg = error_of([&] { parse_ds_config(ds, "ds.json", DsContext{}); });
  CHECK(has(msg, "ds.json:5: /zero_optimization/stage: duplicate key: already given on line 4"));
  CHECK(has(msg, "dict_raise_error_on_duplicate_keys"));
  msg = error_of([] {
    parse_hf_config("{\"model_type\": \"llama\",\n \"num_hidden_layers\": 2,\n \"num_hidden_layers\": 4}",
                    "config.json");
  });
  CHECK(has(msg, "config.json:3: /num_hidden_layers: duplicate key: already given on line 2"));
  // The same key in sibling objects is fine.
  const std::string ok = R"({"train_batch_size": 8, "fp16": {"enabled": false}, "bf16": {"enabled": true}})";
  CHECK(error_of([&] { parse_ds_config(ok, "ds.json", DsContext{}); }) == "(no error)");
}

TEST_CASE("JSON: a key past the key-length cap is refused") {
  const std::string json = "{\"" + std::string(300, 'k') + "\": 1}";
  std::string msg = error_of([&] { parse_hf_config(json, "config.json"); });
  CHECK(has(msg, "config.json:1:"));
  CHECK(has(msg, "a key of 300 bytes"));
}

TEST_CASE("ds_config: hjson comments and trailing commas are read as DeepSpeed reads them") {
  const std::string plain = R"({"train_batch_size": 16, "zero_optimization": {"stage": 2, "overlap_comm": true}})";
  const std::string hjson =
      "// DeepSpeed reads this with hjson.load\n{\n  # batch\n  \"train_batch_size\": 16, /* global */\n"
      "  \"zero_optimization\": {\"stage\": 2, \"overlap_comm\": true,},\n}\n";
  DsContext ctx;
  ctx.gpus = 2;
  DsConfigResult a = parse_ds_config(plain, "a.json", ctx);
  DsConfigResult b = parse_ds_config(hjson, "b.json", ctx);
  REQUIRE(a.settings.size() == b.settings.size());
  for (size_t i = 0; i < a.settings.size(); ++i) {
    CHECK(a.settings[i].key == b.settings[i].key);
    CHECK(a.settings[i].value == b.settings[i].value);
  }
  // Line numbers survive the comments: the stage is on line 5.
  std::string msg = error_of([&] {
    parse_ds_config("// c\n{\"train_batch_size\": 16,\n /* x\n y */\n \"zero_optimization\": {\"stage\": 7}}", "c.json",
                    ctx);
  });
  CHECK(has(msg, "c.json:5:"));
  // "//" inside a string is not a comment.
  CHECK(blank_hjson_extras(R"({"a": "http://x", "b": [1,2,],})") == R"({"a": "http://x", "b": [1,2 ] })");
  // Other hjson syntax (unquoted keys) is refused, saying how to convert.
  msg = error_of([&] { parse_ds_config("{train_batch_size: 16}", "d.json", ctx); });
  CHECK(has(msg, "d.json:1: malformed JSON"));
  CHECK(has(msg, "DeepSpeed reads ds_config with hjson"));
  CHECK(has(msg, "hjson.load"));
}

TEST_CASE("names: a 10 MB name is shown cut and looked up in a few seconds at most") {
  const std::string name(10'000'000, 'm');
  const std::clock_t t0 = std::clock();  // CPU time: the machine may be busy
  std::string msg = error_of([&] { test::scenario("model: " + name + "\ncluster: dgx-a100-80gb\n"); });
  const double s = static_cast<double>(std::clock() - t0) / CLOCKS_PER_SEC;
  CHECK(has(msg, "unknown model '" + std::string(kMaxEchoedName, 'm') + "... (10000000 bytes)'"));
  CHECK(msg.size() < 2000);
  CHECK(s < 5.0);  // 33 s before the fix; about 1 s of YAML parsing now
  CHECK(nearest_name(name, {"llama-2-7b", "mmmm"}) == "mmmm");
  CHECK(shown_name("short") == "short");
}

TEST_CASE("units: a number past a double's range says so") {
  std::string msg;
  try {
    parse_quantity("1e400GiB", Dimension::bytes);
  } catch (const UnitError& e) {
    msg = e.what();
  }
  CHECK(has(msg, "out of range"));
  CHECK_FALSE(has(msg, "does not start with a number"));
}

TEST_CASE("YAML: a document of more values than the node cap is refused before a tree is built") {
  std::string list = "model: [";
  for (long long i = 0; i <= kMaxDocumentValues; ++i) list += "1,";
  list += "1]\n";
  std::string msg = error_of([&] { ConfigDoc::load_string(list, "s.yaml", scenario_keys()); });
  CHECK(has(msg, "s.yaml:1: model: more than " + std::to_string(kMaxDocumentValues) + " values in one YAML document"));
}

TEST_CASE("JSON: a document of more values than the cap is refused before a tree is built") {
  std::string list = "{\"train_batch_size\": 8,\n\"x\": [";
  for (long long i = 0; i <= kMaxDocumentValues; ++i) list += "1,";
  list += "1]}\n";
  std::string msg = error_of([&] { parse_ds_config(list, "ds.json", DsContext{}); });
  CHECK(has(msg, "ds.json:2: more than " + std::to_string(kMaxDocumentValues) + " values in one JSON document"));
}

TEST_CASE("TOML: a key given twice is refused naming the file and line (toml++ refuses redefinitions)") {
  std::string msg =
      error_of([] { parse_titan_config("[training]\nsteps = 10\nsteps = 20\n", "job.toml", TitanContext{}); });
  CHECK(has(msg, "job.toml:3: malformed TOML"));
  msg = error_of(
      [] { parse_titan_config("[training]\n" + std::string(300, 'k') + " = 1\n", "job.toml", TitanContext{}); });
  CHECK(has(msg, "job.toml:2:"));
  CHECK(has(msg, "a key of 300 bytes"));
}

TEST_CASE("ds_config: only a comma after a value is a trailing comma") {
  CHECK(blank_hjson_extras("[1,,]") == "[1,,]");
  CHECK(blank_hjson_extras("{,}") == "{,}");
  CHECK(blank_hjson_extras("[[1],\n]") == "[[1] \n]");
}
