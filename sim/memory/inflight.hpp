// How many micro-batches' activations a pipeline stage holds at its peak.
//
//  - pp = 1: one (gradient accumulation runs each micro-batch's forward and
//    backward before the next).
//  - GPipe: all m micro-batches (every forward runs before any backward).
//  - 1F1B (PipeDream-Flush, SC21 §2.2): stage i runs p - i warm-up forwards
//    before its first backward, so it holds min(p - i, m) micro-batches; the
//    first stage holds p micro-batches of L/p layers, i.e. L layers' worth.
//  - Interleaved 1F1B (Megatron schedules.py): stage i runs
//    (p - i - 1) * 2 + (vp - 1) * p warm-up forwards of model chunks, then one
//    more forward before its first backward, so it holds
//    min((p - i - 1) * 2 + (vp - 1) * p + 1, m * vp) chunk-micro-batches;
//    forward k runs chunk (k mod (p * vp)) / p. With L/(p vp) layers a chunk,
//    stage 0 holds L (1 + (p - 1)/(p vp)) layers' worth (Korthikanti §4.2.3).
#pragma once

#include <vector>

#include "sim/spec/scenario.hpp"

namespace trainsim {

// Chunk-micro-batches in flight on `stage` at its peak, indexed by model chunk
// (size vp). `micro_batches` is m, the micro-batches per step per pipeline.
std::vector<int> in_flight_per_chunk(Schedule schedule, int pp, int vp, int stage, int micro_batches);

}  // namespace trainsim
