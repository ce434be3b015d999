#include "sim/load/profile_defaults.hpp"

#include "sim/load/doc_read.hpp"
#include "sim/spec/framework_profile.hpp"

namespace trainsim {
namespace {

bool applies(const ProfileDefault& x, int pp) {
  switch (x.when) {
    case ProfileWhen::with_pp: return pp > 1;
    case ProfileWhen::without_pp: return pp < 2;
    default: return true;
  }
}

// A default that the rest of the scenario would make invalid stays out:
// training.grad_dtype is the megatron convention's (read_grad_dtype), and
// parallel.reshard_after_forward means something only with parameters
// sharded (ZeRO-3 / FSDP). DeepSpeed's bucket sizes are said at the stages
// that use them: reduce_bucket_size from ZeRO-1 on, allgather_bucket_size at
// ZeRO-1/2, stage3_prefetch_bucket_size at ZeRO-3.
bool fits_the_rest(const ConfigDoc& d, const std::string& key) {
  if (key == "training.grad_dtype")
    return !d.given("memory.convention") || d.get_choice("memory.convention") != "deepspeed";
  const long long zero = d.get_int("parallel.zero_stage");
  if (key == "parallel.reshard_after_forward" || key == "memory.prefetch_bucket_size") return zero == 3;
  if (key == "memory.reduce_bucket_size") return zero >= 1;
  if (key == "memory.allgather_bucket_size") return zero == 1 || zero == 2;
  return true;
}

}  // namespace

Framework resolved_framework(const ConfigDoc& d, bool ds_config) {
  const std::optional<Framework> f = pick_or_auto<Framework>(d, "framework.name");
  return f.value_or(ds_config ? Framework::deepspeed : Framework::megatron_lm);
}

void apply_profile_defaults(ConfigDoc& d, bool ds_config, ImportLog& log) {
  const ProfileChoice c = select_profile(resolved_framework(d, ds_config), d.get_string("framework.version"));
  if (!c.warning.empty()) {
    const SourceLocation w = d.where("framework.version");
    log.warnings.push_back(w.file + (w.line > 0 ? ":" + std::to_string(w.line) : "") + ": " + c.warning);
  }
  if (c.profile == nullptr) return;
  const std::string label = profile_label(*c.profile);
  const int pp = get_i(d, "parallel.pp");
  for (const ProfileDefault& x : c.profile->defaults) {
    if (!applies(x, pp) || d.given(x.key) || !fits_the_rest(d, x.key)) continue;
    d.apply_import(x.key, x.value, {"framework profile " + label, 0, x.key});
    log.assumptions.push_back(std::string(x.key) + " = " + x.value + " from the framework profile " + label + ": " +
                              x.what + " (" + x.source + ")");
  }
}

}  // namespace trainsim
