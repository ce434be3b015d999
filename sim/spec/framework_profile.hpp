// Framework profiles (issue 19): what launches of a framework (framework.name)
// at a version (framework.version) really do, each item sourced from the
// framework's own code. The table itself is framework_profiles.cpp, the one
// source; `trainsim help frameworks` and docs/frameworks.md print it.
//
// A profile holds
//  - its sharding x pipeline rule: whether the framework has pipeline
//    parallelism at all and the highest ZeRO stage (ZeRO-2/3, FSDP,
//    Megatron-FSDP) its code accepts with pp > 1 (config/layout_check.cpp
//    refuses the rest with the framework's own reason);
//  - defaults of scenario keys that the framework's launches use, applied by
//    the loader only to keys nothing else gave (explicit keys, --set, the
//    ds_config and Megatron flags always win), each said in the run's
//    assumptions with the profile and its source.
// What a profile's value then does in the step is the step's business (the
// keys' meaning); no framework-specific logic lives in the step engine.
#pragma once

#include <string>
#include <vector>

#include "sim/spec/scenario_enums.hpp"

namespace trainsim {

// When a profile default applies (the framework's own code decides on the layout).
enum class ProfileWhen { always, with_pp, without_pp };

// One default: a scenario key's value as a scenario YAML writes it.
struct ProfileDefault {
  const char* key;
  const char* value;
  const char* what;    // what the framework does, in words
  const char* source;  // repository, file and function (or line) it was read from
  ProfileWhen when = ProfileWhen::always;
};

// Which sharding x pipeline combinations the framework's code accepts.
struct PipelineRule {
  bool pipeline = true;      // false: the framework has no pipeline parallelism (pp > 1 refused)
  int max_zero_with_pp = 3;  // the highest parallel.zero_stage accepted with pp > 1
  const char* reason = "";   // the framework's reason for a refusal, with its source
  const char* instead = "";  // what is valid instead (another framework, another key)
};

struct FrameworkProfile {
  Framework framework;
  // Versions covered: [from, until); "" = unbounded on that side. Written as
  // the framework numbers its releases (parse_version reads them).
  const char* from;
  const char* until;
  PipelineRule rule;
  std::vector<ProfileDefault> defaults;
  const char* notes;  // what the profile leaves out or does not model (said in help and docs), or ""
};

// How a framework's model code runs the layer's element-wise work, all
// versions alike (framework_profiles.cpp gives each its source):
//  eager: PyTorch eager runs RMSNorm, RoPE, SwiGLU and the cross-entropy as
//         separate memory-bound kernels unless training.compile (torch.compile)
//         fuses them; false = fused kernels either way (Megatron, Transformer
//         Engine, DeepSpeed's Megatron models);
//  op_level_sac: training.recompute selective means the framework's op-level
//         selective activation checkpointing (saved-op list) rather than
//         Megatron's recomputation of the attention core.
struct KernelStyle {
  bool eager = false;
  bool op_level_sac = false;
};

KernelStyle kernel_style(Framework framework);

// How a framework's data-parallel wrapper sizes its gradient (and, with the
// distributed optimizer, parameter all-gather) buckets when the launch gives
// no size: max(min_elements, per_rank x ranks of the dp x cp group) elements.
// Empty for frameworks whose buckets come from other keys (DeepSpeed's
// memory.reduce_bucket_size / allgather_bucket_size, FSDP2's per-block
// collectives). framework_profiles.cpp gives each rule its source.
struct DdpBucketRule {
  double min_elements = 0;
  double per_rank = 0;
  const char* what = "";
  const char* source = "";
  bool empty() const { return !(min_elements > 0) && !(per_rank > 0); }
  double elements(int dp_cp_ranks) const {
    const double scaled = per_rank * dp_cp_ranks;
    return scaled > min_elements ? scaled : min_elements;
  }
};

DdpBucketRule ddp_bucket_rule(Framework framework);

// Every profile, grouped by framework, oldest version range first.
const std::vector<FrameworkProfile>& framework_profiles();

// "deepspeed < 0.6.0", "torchtitan >= 0.1.0", "megatron-lm (all versions)".
std::string profile_label(const FrameworkProfile& p);

// The numbers of a version text: a leading name ("v", "nemo-", "core_r") is
// skipped, then dot-separated integers up to the first other character
// ("0.14.2rc1" -> 0 14 2, "nemo-25.09" -> 25 9). Empty when there are none.
std::vector<long> parse_version(const std::string& text);

// -1, 0, 1 as a < b, a == b, a > b (missing trailing numbers count as 0).
int compare_versions(const std::vector<long>& a, const std::vector<long>& b);

struct ProfileChoice {
  const FrameworkProfile* profile = nullptr;
  std::string warning;  // "" when `version` lies in the chosen profile's range or is unset
};

// The profile of `framework` whose range holds `version`; unset ("") = the
// newest; unparseable = the newest, out of every range = the nearest, both
// with a warning naming the version and the profile taken.
ProfileChoice select_profile(Framework framework, const std::string& version);

}  // namespace trainsim
