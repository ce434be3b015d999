#include "sim/validate/row_scenario.hpp"

#include "sim/load/hardware_loader.hpp"

#include <algorithm>

#include "sim/config/units.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/model/stage_split.hpp"
#include "sim/validate/row_moe.hpp"

namespace trainsim {
namespace {

// A YAML double-quoted scalar: cells are text, whatever they hold.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n')
      out += "\\n";
    else if (c != '\r')
      out += c;
  }
  return out + "\"";
}

bool is_auto(const RunRow& row, const std::string& col) { return row.word(col) == "auto"; }

// Columns holding a word rather than a number or a name: read in lower case.
bool word_column(const std::string& col) {
  return col == "mlp" || col == "precision" || col == "recompute" || col == "sequence_parallel" || col == "vp" ||
         col == "micro_batch";
}

// The cell as the scenario reads it.
std::string cell(const RunRow& row, const std::string& col) {
  if (col == "mlp") return row_mlp(row);
  return word_column(col) ? row.word(col) : row.get(col);
}

// "key: value" under a section, skipping empty cells (the key's default) and auto.
void line(std::string& y, const std::string& key, const std::string& value) {
  if (!value.empty() && value != "auto") y += "  " + key + ": " + quoted(value) + "\n";
}

// The scenario's spelling of a boolean cell (parse_boolean's set); anything
// else is left for the loader to refuse with the accepted spellings.
std::string sequence_parallel(const std::string& value) {
  if (std::optional<bool> b = parse_boolean(value)) return *b ? "true" : "false";
  return value;
}

std::string model_card(const RunRow& row) {
  if (row.has("model_card")) return "model: " + quoted(row.get("model_card")) + "\n";  // checked by check_row_model
  std::string y = "model:\n";
  line(y, "name", row.get("model"));
  line(y, "source", row.get("source"));
  for (const char* col : {"layers", "hidden", "heads", "kv_heads", "ffn", "vocab", "mlp"}) line(y, col, cell(row, col));
  for (const auto& [key, value] : model_family_keys(row)) line(y, key, value);
  for (const auto& [key, value] : row_moe_card_keys(row)) line(y, key, value);
  return y;
}

std::string scenario_yaml(const RunRow& row, const RowHardware& hw, const std::vector<LaunchSetting>& launch,
                          const std::vector<LaunchSetting>& stated) {
  std::string y = model_card(row);
  y += "cluster: " + quoted(hw.cluster) + "\n";
  if (row.has("gpus")) y += "gpus: " + quoted(row.get("gpus")) + "\n";
  y += "parallel:\n";
  for (const char* col : {"tp", "pp", "dp", "cp", "vp", "zero_stage", "ep", "etp"}) line(y, col, cell(row, col));
  line(y, "sequence_parallel", sequence_parallel(cell(row, "sequence_parallel")));
  y += "training:\n";
  for (const char* col : {"seq_len", "micro_batch", "global_batch", "precision", "recompute"})
    line(y, col, cell(row, col));
  for (const auto* list : {&launch, &stated})  // dotted keys, read as --set would; stated ones last
    for (const LaunchSetting& l : *list) y += l.key + ": " + quoted(l.value) + "\n";
  return y;
}

int int_cell(const RunRow& row, const std::string& col, const std::string& why) {
  if (std::optional<int> v = row.positive_int(col)) return *v;
  throw ConfigError(row.where(col), "'" + row.get(col) + "' is not a positive integer; " + why);
}

std::vector<std::string> micro_batch_candidates(const RunRow& row) {
  const std::string why = "auto micro_batch needs global_batch, dp (or gpus, tp, pp, cp) as numbers";
  int global = int_cell(row, "global_batch", why);
  int dp = row.has("dp") ? int_cell(row, "dp", why)
                         : int_cell(row, "gpus", why) / (int_cell(row, "tp", why) * int_cell(row, "pp", why) *
                                                         (row.has("cp") ? int_cell(row, "cp", why) : 1));
  std::vector<std::string> out;
  if (dp < 1 || global % dp != 0) return {"1"};  // the loader reports the batch problem on the point
  for (int b = 1; b <= global / dp; b *= 2)
    if ((global / dp) % b == 0) out.push_back(std::to_string(b));
  return out;
}

// vp values splitting the pipeline items (layers, plus the embedding and loss
// slots when the launch settings count them) evenly over pp x vp chunks.
std::vector<std::string> vp_candidates(const RunRow& row, bool embedding_in_split) {
  const std::string why = "auto vp needs layers and pp as numbers";
  const int items = pipeline_items(int_cell(row, "layers", why), embedding_in_split);
  std::vector<std::string> out;
  for (int v : interleave_factors(items, int_cell(row, "pp", why))) out.push_back(std::to_string(v));
  return out;
}

bool embedding_in_split(const std::vector<LaunchSetting>& launch) {
  return std::any_of(launch.begin(), launch.end(), [](const LaunchSetting& l) {
    return l.key == "parallel.embedding_in_pp_split" && l.value == "true";
  });
}

void reject_fixed_auto(const RunRow& row) {
  static const char* kFixedColumns[] = {"layers", "hidden",  "heads", "kv_heads", "ffn",        "vocab",
                                        "mlp",    "seq_len", "gpu",   "cluster",  "gpus",       "precision",
                                        "tp",     "pp",      "dp",    "cp",       "zero_stage", "global_batch"};
  std::vector<std::string> fixed(std::begin(kFixedColumns), std::end(kFixedColumns));
  fixed.insert(fixed.end(), moe_run_columns().begin(), moe_run_columns().end());
  for (const std::string& col : fixed)
    if (is_auto(row, col))
      throw ConfigError(row.where(col),
                        "'auto' is not supported in this column; auto works in micro_batch, vp, "
                        "recompute and sequence_parallel");
}

std::vector<SearchAxis> auto_axes(const RunRow& row, const std::vector<LaunchSetting>& launch) {
  std::vector<SearchAxis> axes;
  if (is_auto(row, "micro_batch")) axes.push_back({"training.micro_batch", micro_batch_candidates(row)});
  if (is_auto(row, "vp")) axes.push_back({"parallel.vp", vp_candidates(row, embedding_in_split(launch))});
  if (is_auto(row, "recompute")) axes.push_back({"training.recompute", {"none", "selective", "full"}});
  if (is_auto(row, "sequence_parallel")) {
    bool tp1 = row.get("tp") == "1";
    axes.push_back({"parallel.sequence_parallel",
                    tp1 ? std::vector<std::string>{"false"} : std::vector<std::string>{"false", "true"}});
  }
  return axes;
}

// The GPU column names a card that exists. When it is not the cluster card's
// GPU (an H200 row on the DGX H100 node design, an A100-40GB row on an 80 GB
// card), the row's GPU goes into the card's node: same node, links and fabric,
// the row's GPU (peak FLOP/s, HBM size and bandwidth). H200 SXM and H100 SXM
// share the HGX board (docs/reference/hardware.md §2.2).
void apply_gpu(const RunRow& row, const std::string& gpu, Scenario& s, const Zoo& zoo) {
  auto file = zoo.resolve(ZooKind::gpu, gpu, row.file, row.where("gpu"));
  if (s.cluster.node.gpu.name != gpu) s.cluster.node.gpu = load_gpu_card(file.string());
}

}  // namespace

std::string column_of(const std::string& key) {
  std::string tail = key;
  for (const char* prefix : {"parallel.", "training.", "model."})
    if (key.rfind(prefix, 0) == 0) tail = key.substr(std::string(prefix).size());
  const auto& cols = required_run_columns();
  if (std::find(cols.begin(), cols.end(), tail) != cols.end()) return tail;
  if (tail == "name") return "model";
  for (const auto& [card_key, col] :
       {std::pair{"num_moe_experts", "moe_experts"}, std::pair{"moe_router_topk", "moe_top_k"},
        std::pair{"moe_ffn_hidden_size", "moe_ffn"}, std::pair{"ep", "ep"},
        std::pair{"moe_shared_expert_intermediate_size", "moe_shared_experts"},
        std::pair{"moe_layer_freq", "moe_dense_layers"}, std::pair{"etp", "etp"}})
    if (tail == card_key) return col;
  return key;
}

RowPlan plan_row(const RunRow& row, const Zoo& zoo) {
  RowPlan p;
  p.file = row.file + ":" + std::to_string(row.line);
  reject_fixed_auto(row);
  check_row_model(row, zoo);
  p.hardware = row_hardware(row, zoo);
  p.read_as = p.hardware.substituted;
  if (const std::string mlp = row_mlp(row); mlp != row.word("mlp"))
    p.read_as.push_back({"mlp", mlp, "mlp '" + row.get("mlp") + "' read as " + mlp + " (the same matrices and FLOPs)"});
  p.settings = stated_settings(row);
  p.launch = unstated(launch_settings(row), p.settings);
  std::vector<LaunchSetting> effective = p.launch;
  effective.insert(effective.end(), p.settings.begin(), p.settings.end());
  p.axes = auto_axes(row, effective);
  p.yaml = scenario_yaml(row, p.hardware, p.launch, p.settings);
  return p;
}

Scenario row_scenario(const RunRow& row, const RowPlan& plan, const std::vector<std::string>& overrides,
                      const Zoo& zoo) {
  Scenario s;
  try {
    // The row's GPU goes into the node before the layout is checked (FP8 needs an H100, not the card's GPU).
    s = load_scenario_string(plan.yaml, row.file, overrides, zoo, {},
                             [&](Scenario& sc) { apply_gpu(row, plan.hardware.gpu, sc, zoo); });
  } catch (const ConfigError& e) {
    if (e.where().file != row.file && e.where().file != "--set") throw;  // a card's own error names its file
    const std::string& key = e.where().key;
    const bool stated =
        std::any_of(plan.settings.begin(), plan.settings.end(), [&](const LaunchSetting& l) { return l.key == key; });
    if (stated && e.where().file == row.file) throw ConfigError(row.where("settings"), key + ": " + e.message());
    throw ConfigError(row.where(column_of(key)), e.message());
  }
  return s;
}

}  // namespace trainsim
