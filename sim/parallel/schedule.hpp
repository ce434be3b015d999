// The order in which one pipeline stage runs its forward and backward passes
// in one step (Narayanan et al., SC21 §2; Megatron-LM core/pipeline_parallel/schedules.py).
//
//  - GPipe: all m forwards, then all m backwards.
//  - 1F1B (PipeDream-Flush): stage i runs min(p - i - 1, m) warm-up forwards,
//    then alternates one forward and one backward, then drains the backwards.
//  - Interleaved 1F1B with v model chunks per stage: chunk-micro-batches in
//    Megatron's schedule table (groups of p micro-batches, chunk-major inside a
//    group; backwards visit the chunks in reverse), (p - i - 1) * 2 + (v - 1) * p
//    warm-up forwards, then 1F1B over the v * m passes.
// With p = 1 every schedule is gradient accumulation: F0 B0 F1 B1 ...
#pragma once

#include <vector>

#include "sim/spec/scenario.hpp"

namespace trainsim {

struct PassItem {
  bool forward = true;
  int micro_batch = 0;
  int chunk = 0;  // model chunk on this stage, 0..v-1
};

// The passes of `stage` (0..pp-1), in execution order; 2 * m * vp items.
std::vector<PassItem> stage_schedule(Schedule schedule, int pp, int vp, int stage, int micro_batches);

// Virtual pipeline stage of (stage, chunk): chunk * pp + stage (Megatron's order).
inline int virtual_stage(int stage, int chunk, int pp) { return chunk * pp + stage; }

}  // namespace trainsim
