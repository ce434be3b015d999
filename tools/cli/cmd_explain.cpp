// `trainsim explain zero (--model M | --params 7.5B) [--gpus 1,4,16,...] [--json]`:
// the ZeRO paper's model-state memory and communication, stage by stage.
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "sim/core/error.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/config/units.hpp"
#include "sim/memory/zero_explain.hpp"
#include "sim/model/params.hpp"
#include "sim/report/zero_report.hpp"

namespace trainsim::cli {
namespace {

// The largest GPU count accepted: far beyond any cluster, small enough that
// every byte count stays exact in a double.
constexpr int kMaxGpus = 1 << 24;
// Below this a --params count without a unit is refused ("70" meant 70B): a
// million parameters is far below any model trained at the scale simulated here.
constexpr double kBareParamsFloor = 1e6;

struct ExplainZeroArgs {
  std::string model;                        // --model: zoo name or path
  std::string params;                       // --params: a count such as "7.5B"
  std::string gpus = "1,4,16,64,256,1024";  // --gpus: comma-separated data-parallel sizes
  bool json = false;                        // --json
};

std::string trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  const size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

int parse_one_gpu_count(const std::string& token) {
  const SourceLocation where{"--gpus", 0, ""};
  const std::string valid = "valid: a comma-separated list of whole GPU counts from 1 to " + std::to_string(kMaxGpus) +
                            ", e.g. --gpus 1,4,16,64";
  if (token.empty()) throw ConfigError(where, "empty entry in the list; " + valid);
  long long v = 0;
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
  if (ec != std::errc() || end != token.data() + token.size()) {
    throw ConfigError(where, "'" + token + "' is not a whole number; " + valid);
  }
  if (v < 1 || v > kMaxGpus) throw ConfigError(where, "'" + token + "' is out of range; " + valid);
  return static_cast<int>(v);
}

// "1,4,16" -> {1, 4, 16}, in the order given.
std::vector<int> parse_gpu_list(const std::string& text) {
  std::vector<int> out;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    out.push_back(parse_one_gpu_count(trim(std::string_view(text).substr(start, comma - start))));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::int64_t parse_param_count(const std::string& text) {
  const SourceLocation where{"--params", 0, ""};
  // A bare number below a million is a count nobody trains: the unit was left out.
  if (!text.empty() && text.find_first_not_of("0123456789.") == std::string::npos) {
    const double bare = std::strtod(text.c_str(), nullptr);
    if (bare < kBareParamsFloor)
      throw ConfigError(where, "'" + text + "' would be " + text + " parameters; did you mean " + text +
                                   "B? Give the unit: 7.5B, 70B, 350M or 1T");
  }
  double v = 0.0;
  try {
    v = parse_quantity(text, Dimension::count);
  } catch (const UnitError& e) {
    throw ConfigError(where, e.what());
  }
  // 2^53: beyond it a count is no longer exact in a double.
  if (!(v >= 1.0) || v > 9007199254740992.0) {
    throw ConfigError(where, "'" + text +
                                 "' is not a usable parameter count; valid: a positive count such as "
                                 "7.5B, 175B, 1T or 350M");
  }
  return std::llround(v);
}

std::int64_t model_param_count(const std::string& ref) {
  const Zoo zoo = default_zoo();
  const auto path = zoo.resolve(ZooKind::model, ref, "", SourceLocation{"--model", 0, ""});
  return count_params(load_model(path.string())).total;
}

void run_explain_zero(const ExplainZeroArgs& a) {
  if (a.model.empty() == a.params.empty()) {
    throw UsageError(
        "`trainsim explain zero` needs exactly one of --model NAME|PATH or --params COUNT "
        "(e.g. --model llama-2-7b or --params 7.5B)");
  }
  const std::vector<int> gpus = parse_gpu_list(a.gpus);
  const std::int64_t params = a.model.empty() ? parse_param_count(a.params) : model_param_count(a.model);
  const ZeroExplanation e = explain_zero(params, gpus);
  if (a.json)
    std::cout << zero_to_json(e).dump(2) << "\n";
  else
    std::cout << render_zero_table(e);
}

}  // namespace

void add_explain_command(CLI::App& app) {
  CLI::App* explain = app.add_subcommand("explain", "explain a technique with numbers: `trainsim explain zero`");
  explain->require_subcommand(1);
  CLI::App* zero = explain->add_subcommand(
      "zero", "ZeRO model-state memory and per-step communication per GPU, stage by stage (ZeRO paper §5, §7)");
  auto args = std::make_shared<ExplainZeroArgs>();
  zero->add_option("--model", args->model, "a model in models/ or a path to a model card / HF config.json");
  zero->add_option("--params", args->params, "parameter count instead of a model, e.g. 7.5B, 175B, 1T");
  zero->add_option("--gpus", args->gpus, "comma-separated data-parallel GPU counts")->capture_default_str();
  zero->add_flag("--json", args->json, "print one JSON document on stdout instead of the table");
  zero->callback([args] { run_explain_zero(*args); });
}

}  // namespace trainsim::cli
