// The cluster as a graph (Boost.Graph): GPUs, NVSwitches, PCIe switches,
// CPUs, NICs, NVMe drives and the fabric's leaf/spine/core switches, joined
// by directed links (net/link.hpp). Built from a ClusterSpec and a node count.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/spec/link.hpp"
#include "sim/spec/cluster_spec.hpp"

namespace trainsim {

class Topology {
 public:
  virtual ~Topology() = default;

  virtual const ClusterSpec& cluster() const = 0;
  virtual int nodes() const = 0;
  virtual int num_gpus() const = 0;  // nodes x GPUs per node
  int node_of(int gpu) const { return gpu / cluster().node.gpus; }
  // GPUs of one NVLink domain (NCCL's NVLink clique, MNNVL): a node's GPUs on
  // its NVSwitch fabric (8 on an HGX, 72 on a GB200 / GB300 NVL72 rack card,
  // docs/reference/hardware.md §1.5), 1 on a PCIe-only node. A group inside
  // one domain is one node to NCCL's tuner and may use NVLS.
  int nvlink_domain_gpus() const { return cluster().node.nvswitch.present() ? cluster().node.gpus : 1; }
  bool same_nvlink_domain(int a, int b) const {
    return a == b || (nvlink_domain_gpus() > 1 && node_of(a) == node_of(b));
  }

  // Every directed link; LinkId indexes this vector.
  virtual const std::vector<LinkSpec>& links() const = 0;

  // The route from GPU `src` to GPU `dst` (global GPU indices, src != dst).
  // Inside a node it crosses NVSwitch (or PCIe on a PCIe-only node); across
  // nodes it leaves through the NIC of src's rail and enters dst's. Where the
  // fabric has several equal-cost paths, `spread` picks one (ECMP-like,
  // deterministic: the same spread gives the same path).
  virtual Route route(int src, int dst, std::uint64_t spread = 0) const = 0;

  // Routes between a GPU and its node's host memory (pinned copies):
  // GPU -> PCIe switch -> CPU -> DRAM and back.
  virtual Route route_to_host(int gpu) const = 0;
  virtual Route route_from_host(int gpu) const = 0;

  // Routes between a GPU and the NVMe drive nearest to it (behind its PCIe
  // switch, else on its CPU; GPUDirect-Storage-like, no DRAM bounce). Each
  // drive's links carry node.nvme_read / drives out of it and
  // node.nvme_write / drives into it. Throws std::invalid_argument when the
  // card gives no NVMe bandwidth (has_nvme() is false).
  virtual bool has_nvme() const = 0;
  virtual Route route_to_nvme(int gpu) const = 0;
  virtual Route route_from_nvme(int gpu) const = 0;

  // Routes between a GPU's nearest drive (as route_to_nvme picks it) and the
  // DRAM of the GPU's socket: DeepSpeed's aio reads and writes go through
  // pinned host buffers (swap_tensor/), crossing the drive's PCIe switch
  // uplink (or its CPU's lanes) and the memory bus. Throw as route_to_nvme.
  virtual Route route_nvme_to_host(int gpu) const = 0;
  virtual Route route_host_to_nvme(int gpu) const = 0;

  // The memory-bus link of socket `socket` (0 .. node.pcie.cpus() - 1) of
  // `node`: both directions of DRAM traffic cross this one link (routes to
  // and from host memory end on it).
  virtual LinkId memory_bus(int node, int socket) const = 0;

  // The node-local index of the NIC a GPU uses (the one behind its PCIe switch).
  virtual int nic_of(int gpu) const = 0;

  // Hops of a shortest GPU-to-GPU path in the graph (breadth-first search over
  // every vertex; slow, for checking that route() takes shortest paths).
  virtual int shortest_hops(int src, int dst) const = 0;

  // True when intra-node NVSwitches can reduce in the switch (NVLS, H100).
  virtual bool has_nvls() const = 0;
};

// Builds the graph for `nodes` nodes of `cluster` and checks it: connected,
// every bandwidth positive. Throws ConfigError naming the cluster file's key
// on an impossible card.
std::unique_ptr<Topology> build_topology(const ClusterSpec& cluster, int nodes);

}  // namespace trainsim
