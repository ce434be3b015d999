// The points of a sweep and the factory that builds them (sweep_file.hpp).
#include <algorithm>
#include <mutex>

#include "sim/config/config_doc.hpp"
#include "sim/config/model_check.hpp"
#include "sim/load/hardware_loader.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/load/profile_defaults.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/model/stage_split.hpp"
#include "sim/sweep/enumerate.hpp"
#include "sim/sweep/sweep_file.hpp"
#include "sim/spec/limits.hpp"
#include "sim/sweep/sweep_values.hpp"

namespace trainsim {
namespace {

using Settings = std::vector<std::pair<std::string, std::string>>;

SweepBase read_base(const SweepSpec& spec, const Zoo& zoo, const Settings& settings) {
  ConfigDoc d = ConfigDoc::load_string(spec.base_yaml, spec.file, scenario_keys());
  for (const auto& [k, v] : settings) d.apply_override(k + "=" + v);
  auto at = [&](const std::string& key) { return relocate(spec, ConfigError(d.where(key), "")).where(); };
  SweepBase b;
  b.model = load_model(zoo.resolve(ZooKind::model, d.get_string("model"), spec.file, at("model")).string());
  const std::string refusal = simulation_refusal(b.model, d.get_string("model"));
  if (!refusal.empty()) throw ConfigError(at("model"), refusal);  // as every point's loader would
  ClusterSpec cluster =
      load_cluster_card(zoo.resolve(ZooKind::cluster, d.get_string("cluster"), spec.file, at("cluster")).string(), zoo);
  b.gpus_per_node = cluster.node.gpus;
  if (d.given("gpus"))
    b.gpus = static_cast<int>(d.get_int("gpus"));
  else
    b.gpus = static_cast<int>(d.given("nodes") ? d.get_int("nodes") : cluster.nodes) * b.gpus_per_node;
  b.global_batch = static_cast<int>(d.get_int("training.global_batch"));
  b.seq_len = static_cast<int>(d.get_int("training.seq_len"));
  if (!d.given("training.seq_len") && b.model.context_length > 0) b.seq_len = b.model.context_length;  // as the loader
  b.pp = static_cast<int>(d.get_int("parallel.pp"));
  b.pp_layers = pipeline_items(b.model.layers, d.get_bool("parallel.embedding_in_pp_split"));
  const ProfileChoice profile =
      select_profile(resolved_framework(d, d.given("deepspeed_config")), d.get_string("framework.version"));
  if (profile.profile) {
    b.pipeline_rule = profile.profile->rule;
    b.framework = profile_label(*profile.profile);
  }
  return b;
}

// The settings of the grid's axes whose keys are not among `exclude`, vp: auto left out.
std::vector<SearchAxis> grid_axes(const SweepSpec& spec, const std::vector<std::string>& exclude) {
  std::vector<SearchAxis> axes;
  for (const auto& a : spec.axes)
    if (std::find(exclude.begin(), exclude.end(), a.key) == exclude.end()) axes.push_back(a);
  return axes;
}

std::string setting(const Settings& s, const std::string& key) {
  for (const auto& [k, v] : s)
    if (k == key) return v;
  return "";
}

constexpr std::size_t kMaxPoints = static_cast<std::size_t>(kMaxSweepPoints);

// The grid of `axes` with the zip groups as the slowest dimensions: each group
// adds its i-th values together, so it counts once, not as a product.
std::vector<PlanPoint> zipped_grid(const SweepSpec& spec, const std::vector<SearchAxis>& axes) {
  std::vector<PlanPoint> outer(1);
  for (const auto& group : spec.zips) {
    std::vector<PlanPoint> next;
    for (const PlanPoint& p : outer)
      for (std::size_t i = 0; i < group.front().values.size(); ++i) {
        PlanPoint q = p;
        for (const auto& a : group) q.settings.emplace_back(a.key, a.values[i]);
        next.push_back(std::move(q));
      }
    outer = std::move(next);
  }
  std::vector<PlanPoint> out;
  for (const PlanPoint& z : outer)
    for (const PlanPoint& p : grid_points(axes)) {
      PlanPoint q = z;
      q.settings.insert(q.settings.end(), p.settings.begin(), p.settings.end());
      out.push_back(std::move(q));
    }
  return out;
}

// The product of the axes' sizes (vp: auto counted once), saturated just past
// kMaxPoints: counted, never built.
std::size_t product_of(const SweepSpec& spec, const std::vector<SearchAxis>& axes) {
  std::size_t n = 1;
  for (const auto& group : spec.zips) {
    n *= std::max<std::size_t>(1, group.front().values.size());
    if (n > kMaxPoints) return kMaxPoints + 1;
  }
  for (const auto& a : axes) {
    n *= std::max<std::size_t>(1, a.values.size());
    if (n > kMaxPoints) return kMaxPoints + 1;
  }
  return n;
}

[[noreturn]] void too_many(const SweepSpec& spec, const std::vector<SearchAxis>& axes, const std::string& what) {
  std::string sizes;
  for (const auto& a : axes)
    sizes += (sizes.empty() ? "" : " x ") + a.key + " (" + std::to_string(a.values.size()) + ")";
  throw ConfigError({spec.file, 0, ""}, "the sweep has " + what + " points" + (sizes.empty() ? "" : ": " + sizes) +
                                            "; trainsim sweeps at most " + std::to_string(kMaxPoints) +
                                            " (docs/limits.md); narrow a list or range, or split the sweep into "
                                            "several files");
}

// Refuses a grid whose product is past the limit before building any point.
void check_count(const SweepSpec& spec, const std::vector<SearchAxis>& axes) {
  const std::size_t n = product_of(spec, axes);
  if (n > kMaxPoints) too_many(spec, axes, "more than " + std::to_string(kMaxPoints));
}

// Grid mode: the product of the axes; a vp of "auto" becomes every divisor-valid vp of the point.
std::vector<PlanPoint> grid(const SweepSpec& spec, const Zoo& zoo) {
  std::vector<PlanPoint> out;
  std::map<std::string, SweepBase> bases;  // by the settings that change the model or batch
  check_count(spec, spec.axes);
  for (PlanPoint& p : zipped_grid(spec, spec.axes)) {
    if (out.size() > kMaxPoints) too_many(spec, spec.axes, "more than " + std::to_string(kMaxPoints) + " (vp: auto)");
    auto vp =
        std::find_if(p.settings.begin(), p.settings.end(), [](const auto& kv) { return kv.second == kAutoValue; });
    if (vp == p.settings.end()) {
      out.push_back(std::move(p));
      continue;
    }
    Settings fixed = p.settings;
    fixed.erase(fixed.begin() + (vp - p.settings.begin()));
    std::string id;
    for (const auto& [k, v] : fixed)
      id += k == "parallel.pp" || k == "parallel.embedding_in_pp_split" || k.rfind("parallel.", 0) != 0
                ? k + "=" + v + " "
                : "";
    auto it = bases.find(id);
    if (it == bases.end()) it = bases.emplace(id, read_base(spec, zoo, fixed)).first;
    std::string pp = setting(p.settings, "parallel.pp");
    for (int v : interleave_factors(it->second.pp_layers, pp.empty() ? it->second.pp : std::stoi(pp))) {
      PlanPoint q = p;
      q.settings[vp - p.settings.begin()].second = std::to_string(v);
      out.push_back(std::move(q));
    }
  }
  if (out.size() > kMaxPoints) too_many(spec, spec.axes, std::to_string(out.size()) + " (vp: auto)");
  return out;
}

// search: all: for each combination of the other axes, every enumerated layout.
std::vector<PlanPoint> all_layouts(const SweepSpec& spec, const Zoo& zoo, std::map<std::string, std::size_t>* skipped) {
  const auto& keys = enumerated_keys();
  std::map<std::string, std::vector<std::string>> given;
  for (const auto& a : spec.axes)
    if (std::find(keys.begin(), keys.end(), a.key) != keys.end()) given[a.key] = a.values;
  for (const auto& [k, v] : spec.values)
    if (std::find(keys.begin(), keys.end(), k) != keys.end()) given[k] = {v};
  for (const auto& group : spec.zips)
    for (const auto& a : group)
      if (std::find(keys.begin(), keys.end(), a.key) != keys.end())
        throw ConfigError({spec.file, spec.lines.at(a.key), a.key},
                          "search: all enumerates this key; zip only keys it does not (cluster, nodes, model, ...)");
  std::vector<PlanPoint> out;
  check_count(spec, grid_axes(spec, keys));
  for (const PlanPoint& outer : zipped_grid(spec, grid_axes(spec, keys))) {
    if (out.size() > kMaxPoints)
      too_many(spec, spec.axes, "more than " + std::to_string(kMaxPoints) + " (search: all)");
    SweepBase base = read_base(spec, zoo, outer.settings);
    for (auto& layout : enumerate_layouts(base, spec.enumerate, given, skipped)) {
      PlanPoint p = outer;
      p.settings.insert(p.settings.end(), layout.begin(), layout.end());
      out.push_back(std::move(p));
    }
  }
  if (out.size() > kMaxPoints) too_many(spec, spec.axes, std::to_string(out.size()) + " (search: all)");
  return out;
}

}  // namespace

SweepBase resolve_sweep_base(const SweepSpec& spec, const Zoo& zoo) {
  Settings first;
  for (const auto& group : spec.zips)
    for (const auto& a : group) first.emplace_back(a.key, a.values.front());
  for (const auto& a : spec.axes)
    if (a.values.front() != kAutoValue) first.emplace_back(a.key, a.values.front());
  try {
    return read_base(spec, zoo, first);
  } catch (const ConfigError& e) {
    throw relocate(spec, e);
  }
}

ScenarioFactory sweep_factory(const SweepSpec& spec, const Zoo& zoo) {
  return [spec, &zoo](const std::vector<std::string>& overrides) {
    try {
      return load_scenario_string(spec.base_yaml, spec.file, overrides, zoo);
    } catch (const ConfigError& e) {
      throw relocate(spec, e);
    }
  };
}

std::vector<PlanPoint> sweep_points(const SweepSpec& spec, const Zoo& zoo,
                                    std::map<std::string, std::size_t>* skipped) {
  try {
    return spec.mode == SweepMode::all ? all_layouts(spec, zoo, skipped) : grid(spec, zoo);
  } catch (const ConfigError& e) {
    throw relocate(spec, e);
  }
}

}  // namespace trainsim
