// What a GPU's offload traffic gets from its node's PCIe tree and host DRAM
// while other traffic runs with it: host copies (GPU <-> DRAM), NVMe swaps
// (drive <-> DRAM through DeepSpeed's pinned aio buffers), the inter-node DP
// traffic through the GPU's NIC, and CPU-Adam's own DRAM traffic. Each mix
// of these is solved once, max-min on the flow network (net/flow_network.hpp)
// of a two-node graph, with every GPU of node 0 doing the same (they run the
// same program) and the NIC flows going to and from node 1.
//
// Where they meet (topology.hpp): a copy and the NIC share the GPU's x16
// link; a copy, a neighbour's copy and an NVMe swap through the same switch
// share its uplink to the CPU; everything that reads or writes host memory
// shares its socket's memory bus (one link both ways), CPU-Adam included:
// each GPU's CPU-Adam spreads over every socket's bus (its OpenMP threads use
// all the node's cores), capped at the DRAM traffic its compute-bound rate
// needs. Private to sim/workload.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "sim/topology/topology.hpp"

namespace trainsim {

enum class HostUse : std::uint8_t { copy, nvme, nic, adam };
inline constexpr int kHostUses = 4;

// What one GPU (and so each GPU of its node) is doing at an instant.
struct HostActivity {
  int copy = 0;       // 0 none, 1 d2h (GPU -> host), 2 h2d
  int nvme = 0;       // 0 none, 1 read (drive -> host), 2 write (host -> drive)
  bool nic = false;   // inter-node DP traffic through its NIC, both directions
  bool adam = false;  // CPU-Adam running for it on the host
  int index() const { return copy + 3 * nvme + 9 * static_cast<int>(nic) + 18 * static_cast<int>(adam); }
  bool has(HostUse u) const {
    return u == HostUse::copy ? copy > 0 : u == HostUse::nvme ? nvme > 0 : u == HostUse::nic ? nic : adam;
  }
};
inline constexpr int kHostActivities = 36;
inline int use_index(HostUse u) { return static_cast<int>(u); }

// GPU 0's rate (bytes/s) of each use in each mix (by HostActivity::index());
// 0 for a use not in the mix. nic: the slower of its two directions.
using HostRateTable = std::vector<std::array<double, kHostUses>>;

// Solves every mix for `gpus` GPUs of node 0 of `t` (a graph of two nodes or
// more). `adam_dram_bytes_per_s`: the DRAM traffic one GPU's CPU-Adam needs at
// its compute-bound rate (> 0). Mixes with NVMe are left at 0 unless t has NVMe.
HostRateTable solve_host_rates(const Topology& t, int gpus, double adam_dram_bytes_per_s);

}  // namespace trainsim
