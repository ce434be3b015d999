// A sweep file (docs/sweep.md): a scenario (docs/design.md §3) whose keys may hold
// several values, read into a base scenario plus the axes of a plan search
// (sim/search/plan_search.hpp).
//
//   parallel:
//     tp: [1, 2, 4, 8]                      # a list: each value in turn
//     pp: {from: 1, to: 64, times: 2}       # a range: 1, 2, 4, ..., 64
//     vp: auto                              # every vp that divides the stage's layers
//   training:
//     micro_batch: {from: 1, to: 8, step: 1}
//     recompute: [none, selective, full]
//   search: grid                            # grid (default) | all (search_options, enumerate.hpp)
//   zip:                                    # paired lists: the i-th values go together
//     cluster: [dgx-h100-80gb, dgx-a100-80gb]
//     nodes: [8, 16]
//
// A zip group is one dimension of the grid (2 points above, not 4); `zip` may
// also be a list of such maps (several groups). The groups vary slowest, in
// file order, then the other axes.
//
// Every key is checked against the scenario key table and every listed value
// against the key's type before anything is simulated; errors are ConfigError
// naming the sweep file, line and key, with the nearest valid key suggested.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sim/config/keys.hpp"
#include "sim/spec/framework_profile.hpp"
#include "sim/spec/scenario.hpp"
#include "sim/load/zoo.hpp"
#include "sim/search/plan_search.hpp"

namespace trainsim {

enum class SweepMode {
  grid,  // the cartesian product of the listed keys
  all,   // every valid layout for the GPU count (enumerate.hpp), times the listed keys
};

// search_options.* of a `search: all` sweep. Each default is the key table's (sweep_keys()).
struct EnumerateOptions {
  bool tp_across_nodes = false;  // tp may exceed the GPUs of one node
  int max_micro_batch = 8;       // largest micro-batch tried (powers of two)
  int max_cp = 1;                // largest context-parallel size tried (powers of two)
  bool interleave = true;        // try every vp > 1 that divides the layers of a stage
};

// The value written for parallel.vp to ask for every divisor-valid vp.
inline constexpr const char* kAutoValue = "auto";

struct SweepSpec {
  std::string file;                           // the sweep file ("" when read from text without a name)
  std::string base_yaml;                      // the scenario keys with one value, as YAML text
  std::map<std::string, std::string> values;  // those keys and values (dotted key -> value)
  std::vector<SearchAxis> axes;               // keys with several values, in file order (vp may hold "auto")
  std::vector<std::vector<SearchAxis>> zips;  // zip groups: each a dimension, its axes of one length
  std::map<std::string, int> lines;           // dotted key -> line in the sweep file
  SweepMode mode = SweepMode::grid;
  EnumerateOptions enumerate;
};

// The keys of a sweep file: the scenario keys plus `search` and `search_options.*`.
const KeyTable& sweep_keys();

// Reads and checks a sweep file. Throws ConfigError (file:line: key: message).
SweepSpec load_sweep_file(const std::string& path);
// Same, from YAML text; `file` names it in messages and anchors relative paths.
// Top-level keys in `skip` are left to the caller (a compare file's own keys).
SweepSpec load_sweep_string(const std::string& yaml, const std::string& file,
                            const std::vector<std::string>& skip = {});

// Sets a single-valued scenario key (checked as the file's values are) as if
// the file said it at `line`. Throws ConfigError at that line.
void set_sweep_value(SweepSpec& spec, const std::string& key, const std::string& value, int line);

// What the enumerator needs to know of the base: the model, the GPU count and shape.
struct SweepBase {
  ModelSpec model;
  int gpus = 1;
  int gpus_per_node = 1;
  int global_batch = 1;
  int seq_len = 1;
  int pp = 1;  // the base's parallel.pp (for vp: auto when pp is not swept)
  // Items the pipeline splits (stage_split.hpp pipeline_items): the
  // transformer layers, plus the embedding and the output layer with
  // parallel.embedding_in_pp_split (pp divides this).
  int pp_layers = 1;
  // The base framework's sharding x pipeline rule (framework.name /
  // framework.version, sim/spec/framework_profile.hpp), as the layout check applies it.
  // Unset: the default framework's (megatron-lm).
  PipelineRule pipeline_rule = select_profile(Framework::megatron_lm, "").profile->rule;
  std::string framework = profile_label(*select_profile(Framework::megatron_lm, "").profile);  // for the reasons
};

// Resolves the base's model and cluster through the zoo and checks every
// single-valued key's value. Throws ConfigError at the sweep file's line.
SweepBase resolve_sweep_base(const SweepSpec& spec, const Zoo& zoo);

// Builds a point's scenario: the base with the point's settings applied.
// Thread-safe; `zoo` must outlive the factory.
ScenarioFactory sweep_factory(const SweepSpec& spec, const Zoo& zoo);

// Every point of the sweep in a fixed order: the grid of the axes (vp: auto
// expanded per point), or for `search: all` the enumerated layouts for each
// combination of the other axes. `skipped` (may be null) counts the
// combinations the enumerator left out by reason (enumerate.hpp).
// Throws ConfigError when the base's model or cluster cannot be read.
std::vector<PlanPoint> sweep_points(const SweepSpec& spec, const Zoo& zoo,
                                    std::map<std::string, std::size_t>* skipped = nullptr);

}  // namespace trainsim
