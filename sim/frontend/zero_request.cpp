#include "sim/frontend/zero_request.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "sim/config/model_check.hpp"
#include "sim/config/units.hpp"
#include "sim/core/error.hpp"
#include "sim/load/hardware_loader.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/model/activations.hpp"
#include "sim/model/params.hpp"
#include "sim/spec/enum_names.hpp"
#include "sim/spec/gpu_spec.hpp"

namespace trainsim {
namespace {

// The largest GPU count accepted: far beyond any cluster, small enough that
// every byte count stays exact in a double.
constexpr int kMaxZeroGpus = 1 << 24;
// Below this a --params count without a unit is refused ("70" meant 70B): a
// million parameters is far below any model trained at the scale simulated here.
constexpr double kBareParamsFloor = 1e6;

std::string trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  const size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

int parse_one_gpu_count(const std::string& token) {
  const SourceLocation where{"--gpus", 0, ""};
  const std::string valid = "valid: a comma-separated list of whole GPU counts from 1 to " +
                            std::to_string(kMaxZeroGpus) + ", e.g. --gpus 1,4,16,64";
  if (token.empty()) throw ConfigError(where, "empty entry in the list; " + valid);
  long long v = 0;
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
  if (ec != std::errc() || end != token.data() + token.size()) {
    throw ConfigError(where, "'" + token + "' is not a whole number; " + valid);
  }
  if (v < 1 || v > kMaxZeroGpus) throw ConfigError(where, "'" + token + "' is out of range; " + valid);
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

ModelSpec model_of(const std::string& ref, const Zoo& zoo) {
  const auto path = zoo.resolve(ZooKind::model, ref, "", SourceLocation{"--model", 0, ""});
  ModelSpec m = load_model(path.string());
  const std::string refusal = simulation_refusal(m, ref);
  if (!refusal.empty()) throw ConfigError({"--model", 0, ""}, refusal);
  // The ZeRO table shards one dense parameter count; experts are sharded over
  // EP x ETP x expert-DP instead (`trainsim mem` counts them).
  if (m.is_moe())
    throw ConfigError({"--model", 0, ""}, "model " + m.name +
                                              " is a mixture of experts: explain zero shards dense models only; "
                                              "`trainsim mem` gives an MoE plan's memory and `trainsim info " +
                                              ref + "` its parameter counts");
  return m;
}

// One micro-batch's activations on a GPU without tensor or pipeline
// parallelism, as sim/memory counts them: every layer's stored activations,
// the embedding's and the output layer's, plus the larger backward working set
// (one layer's, or the loss's).
void read_activations(const ZeroRequest& a, const ModelSpec& m, Precision p, ZeroRenderOptions& r) {
  if (a.seq_len <= 0) return;
  const std::optional<Recompute> rc = enum_value<Recompute>(a.recompute);
  if (!rc) throw ConfigError({"--recompute", 0, ""}, "'" + a.recompute + "'; valid: none, selective, full");
  if (a.micro_batch < 1) throw ConfigError({"--micro-batch", 0, ""}, "needs 1 or more sequences");
  ActivationShape shape;
  shape.seq_len = a.seq_len;
  shape.micro_batch = a.micro_batch;
  shape.flash_attention = true;
  shape.recompute = *rc;
  shape.precision = p;
  const Bytes stored = m.layers * stored_layer_activations(m, shape).total() + embedding_activations(m, shape) +
                       output_activations(m, shape);
  r.activations = stored + std::max(layer_backward_working(m, shape), output_working(m, shape));
  r.activations_shape = "seq " + std::to_string(a.seq_len) + ", micro-batch " + std::to_string(a.micro_batch) +
                        ", recompute " + a.recompute + ", FlashAttention";
}

std::vector<ZeroConvention> parse_conventions(const std::string& text) {
  if (text == "all") return {};
  for (int c = 0; c < kZeroConventionCount; ++c)
    if (text == zero_convention_name(static_cast<ZeroConvention>(c))) return {static_cast<ZeroConvention>(c)};
  throw ConfigError({"--convention", 0, ""},
                    "'" + text + "' is not a convention; valid: paper, deepspeed, megatron, textbook, all");
}

// --gpu / --cluster: the card's HBM, host memory per node and GPUs per node.
void read_cards(const ZeroRequest& a, const Zoo& zoo, ZeroRenderOptions& r, ZeroExplainOptions& o) {
  if (!a.gpu.empty() && !a.cluster.empty())
    throw ConfigError({"--cluster", 0, ""}, "`trainsim explain zero` takes --gpu CARD or --cluster CARD, not both");
  if (!a.cluster.empty()) {
    const auto path = zoo.resolve(ZooKind::cluster, a.cluster, "", SourceLocation{"--cluster", 0, ""});
    const ClusterSpec c = load_cluster_card(path.string(), zoo);
    r.card = c.node.gpu.name + " (" + c.name + ")";
    r.hbm = c.node.gpu.hbm;
    r.host_per_node = c.node.host_memory;
    o.gpus_per_node = c.node.gpus;
  } else if (!a.gpu.empty()) {
    const auto path = zoo.resolve(ZooKind::gpu, a.gpu, "", SourceLocation{"--gpu", 0, ""});
    const GpuSpec g = load_gpu_card(path.string());
    r.card = g.name;
    r.hbm = g.hbm;
  }
}

}  // namespace

ZeroAnswer explain_zero_request(const ZeroRequest& a, const Zoo& zoo) {
  if (a.model.empty() == a.params.empty()) {
    throw ConfigError({"--model", 0, ""},
                      "`trainsim explain zero` needs exactly one of --model NAME|PATH or --params COUNT "
                      "(e.g. --model llama-2-7b or --params 7.5B)");
  }
  const std::vector<int> gpus = parse_gpu_list(a.gpus);
  ZeroExplainOptions o;
  ZeroRenderOptions r;
  r.conventions = parse_conventions(a.convention);
  const std::optional<Precision> precision = enum_value<Precision>(a.precision);
  if (!precision || *precision == Precision::fp32 || quantized_gemms(*precision))
    throw ConfigError({"--precision", 0, ""}, "'" + a.precision + "' is not a mixed precision; valid: bf16, fp16");
  o.precision = *precision;
  if (a.grad_accum < 1)
    throw ConfigError({"--grad-accum", 0, ""},
                      std::to_string(a.grad_accum) + " is not a micro-batch count; valid: 1 or more");
  o.grad_accum = a.grad_accum;
  read_cards(a, zoo, r, o);
  std::int64_t params = 0;
  if (a.model.empty()) {
    if (a.seq_len > 0)
      throw ConfigError({"--seq-len", 0, ""}, "needs --model (the activations need the model's dimensions)");
    params = parse_param_count(a.params);
  } else {
    const ModelSpec m = model_of(a.model, zoo);
    const ParamCounts counts = count_params(m);
    params = counts.total;
    o.largest_layer_params = counts.largest_layer;
    read_activations(a, m, o.precision, r);
  }
  return {explain_zero(params, gpus, o), r};
}

}  // namespace trainsim
