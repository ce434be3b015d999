// The HBM in use on one simulated GPU as its program allocates and frees
// (program.hpp alloc / free), by memory kind, and the peak with its breakdown
// (GpuStats::peak_bytes, at_peak). The total includes the allocator's overhead
// on the activations in use (memory.allocator_overhead, as the memory model
// counts it). Private to sim/workload (step_engine.cpp).
#pragma once

#include <array>

#include "sim/core/quantity.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/workload/program.hpp"

namespace trainsim {

class MemoryTracker {
 public:
  // `allocator_overhead`: a fraction of the activations in use (>= 0).
  explicit MemoryTracker(double allocator_overhead = 0) : overhead_(allocator_overhead) {}

  // Allocates (or frees) `bytes` of kind `k`; a kind never goes below 0.
  // Returns the total in use afterwards, overhead included.
  Bytes change(bool alloc, MemKind k, Bytes bytes);

  Bytes peak() const { return peak_; }                         // 0 before any allocation
  const MemoryBreakdown& at_peak() const { return at_peak_; }  // by kind at the peak instant

 private:
  double& use(MemKind k) { return in_use_[static_cast<std::size_t>(k)]; }

  double overhead_;
  std::array<double, kMemKinds> in_use_{};  // bytes by MemKind
  Bytes peak_;
  MemoryBreakdown at_peak_;
};

}  // namespace trainsim
