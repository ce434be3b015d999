// Measured efficiencies of GPU kernels (private to sim/cost). Every constant
// in efficiency.cpp cites its table in docs/reference/hardware.md §4.
// Tables are chosen by arch_of(gpu) (gpu_spec.hpp).
#pragma once

#include <cstdint>

#include "sim/spec/gpu_spec.hpp"

namespace trainsim::efficiency {

// Per-kernel launch overhead in seconds, added once per op (one kernel each).
// facebookresearch/HolisticTraceAnalysis docs (cuda_kernel_launch_stats):
// "the launch time on the CPU side is between 5-20 microseconds"; we take the
// lower bound because launches overlap the previous kernel in steady state.
inline constexpr double kLaunchOverheadS = 5e-6;

// Fraction of the isolated-kernel tensor-core throughput (the microbenchmarks
// of docs/reference/hardware.md §4a/§4b) that GEMM and attention kernels sustain inside a
// training step: every GPU of the node at its power limit (lower sustained
// SM clock), NCCL kernels and the framework's other kernels sharing SMs, L2
// and HBM. Fitted per architecture on the calibration rows (results/
// calibration.md). gemm() and attention() are the isolated-kernel figures
// (what the microbenchmarks measure); op_time() multiplies by this. On Hopper
// the run's GEMM precision `p` selects it (FP8 runs and BF16/FP16 runs each
// have their own measured runs); Ampere has one value.
double sustained_in_training(const GpuSpec& gpu, Precision p);

// Fraction of gpu.peak(p) a dense GEMM C[m x n] = A[m x k] B[k x n] (`batch`
// independent products) achieves:
//   E_best x shape(m, n, k, batch) / shape(best MAMF shape), capped at E_best,
// where shape() = best over cuBLAS-like tile choices of (wave quantization of
// output tiles over the SMs x K-loop fill k / (k + k0)), x a small-problem term
// flops / (flops + f0), x the misalignment penalty of docs/reference/hardware.md §4a.6
// (1 when every dim is a multiple of 128 bytes, ~0.99 for multiples of 16
// bytes, 0.685 otherwise, for gemm_element_bytes(p)-byte elements).
// FP8 (p == fp8) uses the FP8 tables; fp32 uses TF32 tensor cores.
double gemm(const GpuSpec& gpu, Precision p, std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t batch);

// Fraction of the 16-bit tensor peak a FlashAttention-2 forward+backward
// achieves (docs/reference/hardware.md §4b.1 A100, §4b.2 H100), interpolated in log2(seq_k)
// and head_dim, clamped to the measured range (512..16k keys, hd 64..128).
double attention(const GpuSpec& gpu, std::int64_t seq_k, std::int64_t head_dim, bool causal);

// Fraction of gpu.hbm_bandwidth a memory-bound kernel moving `bytes` achieves:
// the STREAM fraction of the nearest measured GPU (§4a.8) times a small-
// transfer falloff (Calculon's HBM table, §4a.7).
double hbm(const GpuSpec& gpu, double bytes);

// The STREAM fraction alone (§4a.8), for large transfers.
double hbm_stream(const GpuSpec& gpu);

}  // namespace trainsim::efficiency
