// The defaults of the cluster-card keys whose struct fields (cluster_spec.hpp)
// start at a real value rather than a "not given" placeholder: the one source.
// The structs initialise from these and the cluster key table
// (sim/config/keys_cards.cpp) prints them into docs/keys.md.
#pragma once

namespace trainsim::defaults {

inline constexpr int kNvmeDrives = 1;
// DeepSpeedCPUAdam on a 72-core Grace, 0.1 s per billion parameters
// (docs/reference/hardware.md §4f); parameters per second per node. An
// assumption for any other CPU: x86 cards state their own.
inline constexpr double kNodeCpuAdamThroughput = 10e9;
// Pinned host<->device copies reach 26.1 of 32 GB/s on Gen4 x16; pageable ones
// about half of that (docs/reference/hardware.md §4d).
inline constexpr double kPinnedEfficiency = 0.82;
inline constexpr double kPageableFactor = 0.5;
inline constexpr double kFabricOversubscription = 1;  // full bisection above a pod

// The link latencies (seconds) every shipped cluster card states (and the key
// defaults, sim/config/keys_cards.cpp): the hardware NCCL's hwLatencies table
// (src/graph/tuning.cc, docs/reference/hardware.md §4c.4 [S1]) is taken to
// stand for. A card's difference from them is added to each step of that path
// (sim/net/collective.cpp, card_latency_extra_us), so the shipped cards predict
// what NCCL's table does and a slower card link makes every step slower.
inline constexpr double kRefNvswitchLatency = 0.5e-6;  // GPU -> NVSwitch -> GPU
inline constexpr double kRefPcieLatency = 0.5e-6;      // one PCIe hop
inline constexpr double kRefNicLatency = 1e-6;         // one NIC, each end
inline constexpr double kRefSwitchLatency = 0.6e-6;    // one fabric switch (HDR port, hardware.md §1.2 [S3])

}  // namespace trainsim::defaults
