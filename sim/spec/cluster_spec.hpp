// A cluster card (topologies/*.yaml): the node's internals (GPUs, NVSwitch,
// PCIe tree, CPUs, NICs, host memory, NVMe) and the fabric that joins nodes.
// topology.hpp turns it into a graph.
#pragma once

#include <string>
#include <vector>

#include "sim/core/quantity.hpp"
#include "sim/spec/card_defaults.hpp"
#include "sim/spec/gpu_spec.hpp"
#include "sim/spec/scenario_defaults.hpp"

namespace trainsim {

struct NvSwitchSpec {
  Bandwidth bandwidth;  // per GPU per direction; 0 = no NVSwitch (PCIe-only node)
  Seconds latency{defaults::kRefNvswitchLatency};
  bool nvls = false;  // NVLink SHARP
  bool present() const { return bandwidth.value() > 0; }
};

// The PCIe tree as a regular pattern: GPU g, NIC i and drive d hang off switch
// g / gpus_per_switch, i / nics_per_switch, d / nvme_per_switch; switch s
// hangs off CPU s / switches_per_cpu.
struct PcieSpec {
  int switches = 0;
  int gpus_per_switch = 0;
  int nics_per_switch = 0;
  int nvme_per_switch = 0;
  int switches_per_cpu = 0;
  Bandwidth bandwidth;                         // per link per direction
  Seconds latency{defaults::kRefPcieLatency};  // per hop
  // Fraction of the link bandwidth a pinned cudaMemcpy host<->device achieves
  // (docs/reference/hardware.md §4d: 0.82 of Gen4 x16, 0.88 of Gen5 x16).
  double pinned_efficiency = defaults::kPinnedEfficiency;
  // Pageable copies relative to pinned ones (docs/reference/hardware.md §4d: about half).
  double pageable_factor = defaults::kPageableFactor;
  int cpus() const { return (switches + switches_per_cpu - 1) / switches_per_cpu; }
};

struct NicSpec {
  int count = 0;
  Bandwidth bandwidth;  // per NIC per direction
  Seconds latency{defaults::kRefNicLatency};
};

// The node's in-band Ethernet ports (the storage / management ConnectX cards on
// the CPUs' PCIe, docs/reference/hardware.md §2.1, §2.2), which NCCL's socket
// transport uses when InfiniBand is off (NCCL_IB_DISABLE=1).
struct EthernetSpec {
  int count = 0;               // ports per node; 0 = the card names none
  Bandwidth bandwidth;         // line rate of one port per direction
  Seconds latency;             // one message through the kernel TCP stack, each end (an assumption)
  Bandwidth stream_bandwidth;  // what one TCP stream of NCCL's socket transport sustains (an assumption)
  bool present() const { return count > 0 && bandwidth.value() > 0; }
};

enum class FabricKind { rail_optimized, fat_tree, roce_clos };

struct FabricSpec {
  FabricKind kind = FabricKind::rail_optimized;
  int nodes_per_unit = 1;                                       // nodes under one leaf (group)
  int pod_nodes = 1;                                            // nodes of one full-bisection pod
  int spines_per_pod = 1;                                       // ECMP width of the spine tier
  int leaf_radix = 0;                                           // ports per leaf switch; 0 = not given
  double oversubscription = defaults::kFabricOversubscription;  // of the core tier above pods
  Seconds switch_latency{defaults::kRefSwitchLatency};
};

struct NodeSpec {
  int gpus = 0;       // GPUs per node
  GpuSpec gpu;        // the GPU card
  Bytes host_memory;  // host DRAM per node
  Bandwidth host_memory_bandwidth;
  Bytes nvme_capacity;                      // local NVMe capacity usable for offload, per node
  Bandwidth nvme_read;                      // aggregate per node
  Bandwidth nvme_write;                     // aggregate per node
  int nvme_drives = defaults::kNvmeDrives;  // in the graph only when nvme_read and nvme_write are > 0
  Seconds nvme_latency;                     // one I/O's service time (Little's law with the aio queue; an assumption)
  Seconds aio_submit_latency;               // one io_submit system call (an assumption)
  // Parameters per second DeepSpeedCPUAdam updates on the whole node
  // (docs/reference/hardware.md §4f).
  double cpu_adam_rate = defaults::kNodeCpuAdamThroughput;
  NvSwitchSpec nvswitch;
  PcieSpec pcie;
  Bandwidth cpu_interconnect;  // socket to socket, per direction
  // NVLink-C2C between each GPU and its CPU (Grace), per GPU per direction; 0 =
  // none: host copies cross the PCIe tree (route_to_host, topology.hpp).
  Bandwidth c2c_bandwidth;
  NicSpec nics;
  EthernetSpec ethernet;
};

// How NCCL reaches other nodes (NetTransport, scenario_enums.hpp). Scenario
// keys network.transport and network.nccl_env.* (the scenario loader sets it).
struct TransportSpec {
  NetTransport kind = defaults::kTransport;
  int socket_threads = defaults::kSocketThreads;     // NCCL_SOCKET_NTHREADS
  int socks_per_thread = defaults::kSocksPerThread;  // NCCL_NSOCKS_PERTHREAD
};

struct ClusterSpec {
  std::string name;
  std::string file;  // the card's path, for messages; empty when built in code
  std::string source;
  int nodes = 0;  // nodes in the card (a scenario may use fewer or more)
  NodeSpec node;
  FabricSpec fabric;
  TransportSpec transport;                  // set by the scenario, not the card
  std::vector<CardAssumption> assumptions;  // in the card's key order
};

}  // namespace trainsim
