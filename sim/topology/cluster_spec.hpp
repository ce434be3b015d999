// A cluster card (topologies/*.yaml): the node and how many of them. The full
// node internals and fabric graph arrive with the network model; this holds
// what the analytic models need.
#pragma once

#include <string>

#include "sim/core/quantity.hpp"
#include "sim/topology/gpu_spec.hpp"

namespace trainsim {

struct NodeSpec {
  int gpus = 0;                  // GPUs per node
  GpuSpec gpu;                   // the GPU card
  Bytes host_memory;             // host DRAM per node
  Bandwidth host_memory_bandwidth;
  Bytes nvme_capacity;           // local NVMe usable for offload, per node
  Bandwidth nvme_read;           // aggregate per node
  Bandwidth nvme_write;          // aggregate per node
};

struct ClusterSpec {
  std::string name;
  std::string source;
  int nodes = 0;                 // nodes in the card (a scenario may use fewer)
  NodeSpec node;
};

}  // namespace trainsim
