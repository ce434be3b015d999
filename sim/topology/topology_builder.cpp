// The cluster graph (Boost.Graph) and its structural routes.
//
// Vertices: per node the GPUs, one NVSwitch vertex (a full-bisection switch
// fabric, absent on PCIe-only nodes), the PCIe switches, the CPUs with their
// DRAM, the NICs and the NVMe drives (drive d behind PCIe switch
// d / nvme_per_switch, the rest on CPU (d - on_switches) % cpus; CPUs meet at
// CPU 0); then the fabric's leaves, spines and cores. Every cable is two directed links,
// except a socket's memory bus, one link both ways (add_memory_bus). Fabric shape:
//   leaf   one per (unit, rail) for rail_optimized, one per unit otherwise;
//   spine  spines_per_pod per pod; every leaf of the pod reaches every spine,
//          each uplink carrying leaf-down-capacity / spines (1:1 in a pod);
//   core   when there are several pods: core k joins spine k of every pod,
//          with the spine's down capacity divided by the oversubscription.
// Routes follow this structure in O(hops); tests check they are shortest
// paths of the graph. ECMP: `spread` picks the spine (and so the core).
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>

#include <stdexcept>
#include <unordered_map>

#include "sim/core/error.hpp"
#include "sim/topology/cluster_check.hpp"
#include "sim/topology/topology_size.hpp"
#include "sim/topology/topology.hpp"

namespace trainsim {
namespace {

// Links are found through link_of_; the graph only needs the adjacency.
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
using V = int;

class GraphTopology final : public Topology {
 public:
  GraphTopology(const ClusterSpec& c, int nodes) : c_(c), nodes_(nodes) {
    check_cluster_shape(c_);
    build_nodes();
    build_fabric();
  }

  const ClusterSpec& cluster() const override { return c_; }
  int nodes() const override { return nodes_; }
  int num_gpus() const override { return nodes_ * c_.node.gpus; }
  const std::vector<LinkSpec>& links() const override { return links_; }
  bool has_nvls() const override { return c_.node.nvswitch.nvls; }
  bool has_nvme() const override {
    return c_.node.nvme_read.value() > 0 && c_.node.nvme_write.value() > 0 && c_.node.nvme_drives > 0;
  }
  int shortest_hops(int src, int dst) const override {
    check_gpu(src);
    check_gpu(dst);
    std::vector<int> dist(boost::num_vertices(g_), -1);
    dist[static_cast<size_t>(gpu_v_[src])] = 0;
    boost::breadth_first_search(
        g_, boost::vertex(static_cast<size_t>(gpu_v_[src]), g_),
        boost::visitor(boost::make_bfs_visitor(boost::record_distances(dist.data(), boost::on_tree_edge()))));
    return dist[static_cast<size_t>(gpu_v_[dst])];
  }

  Route route(int src, int dst, std::uint64_t spread) const override {
    check_gpu(src);
    check_gpu(dst);
    if (src == dst) throw std::logic_error("route from a GPU to itself");
    std::vector<V> path;
    if (node_of(src) == node_of(dst))
      intra_node_path(src, dst, path);
    else
      inter_node_path(src, dst, spread, path);
    return to_route(path);
  }

  Route route_to_host(int gpu) const override {
    check_gpu(gpu);
    int sw = switch_of(gpu);
    if (has_c2c()) return to_route({gpu_v_[gpu], cpu(node_of(gpu), cpu_of(sw)), dram(node_of(gpu), cpu_of(sw))});
    return to_route(
        {gpu_v_[gpu], psw(node_of(gpu), sw), cpu(node_of(gpu), cpu_of(sw)), dram(node_of(gpu), cpu_of(sw))});
  }

  Route route_from_host(int gpu) const override {
    check_gpu(gpu);
    int sw = switch_of(gpu);
    if (has_c2c()) return to_route({dram(node_of(gpu), cpu_of(sw)), cpu(node_of(gpu), cpu_of(sw)), gpu_v_[gpu]});
    return to_route(
        {dram(node_of(gpu), cpu_of(sw)), cpu(node_of(gpu), cpu_of(sw)), psw(node_of(gpu), sw), gpu_v_[gpu]});
  }

  Route route_to_nvme(int gpu) const override { return to_route(nvme_path(gpu)); }

  Route route_from_nvme(int gpu) const override {
    std::vector<V> path = nvme_path(gpu);
    return to_route(std::vector<V>(path.rbegin(), path.rend()));
  }

  Route route_nvme_to_host(int gpu) const override { return to_route(nvme_host_path(gpu)); }

  Route route_host_to_nvme(int gpu) const override {
    std::vector<V> path = nvme_host_path(gpu);
    return to_route(std::vector<V>(path.rbegin(), path.rend()));
  }

  LinkId memory_bus(int node, int socket) const override {
    if (node < 0 || node >= nodes_ || socket < 0 || socket >= c_.node.pcie.cpus())
      throw std::out_of_range("no socket " + std::to_string(socket) + " on node " + std::to_string(node));
    return link_of_.at(key_of(cpu(node, socket), dram(node, socket)));
  }

 private:
  // ------------------------------------------------------------ building
  V add_vertex() { return static_cast<V>(boost::add_vertex(g_)); }

  // One directed link; `key` is the card key its capacity comes from.
  void add_link(V from, V to, Bandwidth bw, Seconds latency, LinkKind kind, const std::string& name, const char* key) {
    if (!(bw.value() > 0))
      throw ConfigError(cluster_key(c_, key), "link " + name + " needs a positive bandwidth; give e.g. \"32GB/s\"");
    LinkId id = static_cast<LinkId>(links_.size());
    links_.push_back({name, kind, bw, latency, key});
    boost::add_edge(static_cast<size_t>(from), static_cast<size_t>(to), g_);
    link_of_[key_of(from, to)] = id;
  }

  // A full-duplex cable: two directed links of the same capacity.
  void add_cable(V a, V b, Bandwidth bw, Seconds latency, LinkKind kind, const std::string& name, const char* key) {
    add_link(a, b, bw, latency, kind, name + "->", key);
    add_link(b, a, bw, latency, kind, name + "<-", key);
  }

  // A socket's DRAM: one link both ways. Its channels carry reads and writes on
  // one bus (half-duplex), so a copy into host memory, a copy out of it and
  // CPU-Adam's own traffic share node.host_memory_bandwidth / sockets.
  void add_memory_bus(V cpu_v, V dram_v, const std::string& name) {
    const Bandwidth bw = c_.node.host_memory_bandwidth * (1.0 / c_.node.pcie.cpus());
    add_link(cpu_v, dram_v, bw, Seconds(0), LinkKind::host_memory, name, "node.host_memory_bandwidth");
    boost::add_edge(static_cast<size_t>(dram_v), static_cast<size_t>(cpu_v), g_);
    link_of_[key_of(dram_v, cpu_v)] = link_of_.at(key_of(cpu_v, dram_v));
  }

  static std::uint64_t key_of(V a, V b) {
    return (static_cast<std::uint64_t>(a) << 32) | static_cast<std::uint32_t>(b);
  }

  void build_nodes() {
    const NodeSpec& n = c_.node;
    int cpus = n.pcie.cpus();
    for (int node = 0; node < nodes_; ++node) {
      std::string p = "n" + std::to_string(node) + ".";
      for (int g = 0; g < n.gpus; ++g) gpu_v_.push_back(add_vertex());
      nvsw_v_.push_back(n.nvswitch.present() ? add_vertex() : -1);
      for (int s = 0; s < n.pcie.switches; ++s) psw_v_.push_back(add_vertex());
      for (int k = 0; k < cpus; ++k) {
        cpu_v_.push_back(add_vertex());
        dram_v_.push_back(add_vertex());
      }
      for (int i = 0; i < n.nics.count; ++i) nic_v_.push_back(add_vertex());
      wire_node(node, p);
      if (has_nvme()) wire_nvme(node, p);
    }
  }

  void wire_node(int node, const std::string& p) {
    const NodeSpec& n = c_.node;
    for (int g = 0; g < n.gpus; ++g) {
      V gv = gpu_v_[node * n.gpus + g];
      if (n.nvswitch.present())
        add_cable(gv, nvsw_v_[node], n.nvswitch.bandwidth, n.nvswitch.latency * 0.5, LinkKind::nvlink,
                  p + "gpu" + std::to_string(g) + ":nvsw", "node.nvswitch.bandwidth");
      add_cable(gv, psw(node, g / n.pcie.gpus_per_switch), n.pcie.bandwidth, n.pcie.latency, LinkKind::pcie,
                p + "gpu" + std::to_string(g) + ":psw", "node.pcie.bandwidth");
    }
    for (int i = 0; i < n.nics.count; ++i)
      add_cable(nic(node, i), psw(node, i / n.pcie.nics_per_switch), n.pcie.bandwidth, n.pcie.latency, LinkKind::pcie,
                p + "nic" + std::to_string(i) + ":psw", "node.pcie.bandwidth");
    int cpus = n.pcie.cpus();
    for (int s = 0; s < n.pcie.switches; ++s)
      add_cable(psw(node, s), cpu(node, cpu_of(s)), n.pcie.bandwidth, n.pcie.latency, LinkKind::pcie,
                p + "psw" + std::to_string(s) + ":cpu", "node.pcie.bandwidth");
    for (int k = 0; k < cpus; ++k) add_memory_bus(cpu(node, k), dram(node, k), p + "cpu" + std::to_string(k) + ":dram");
    if (has_c2c())  // Grace: each GPU's NVLink-C2C to the CPU of its PCIe switch (GB200 / GB300)
      for (int g = 0; g < n.gpus; ++g)
        add_cable(gpu_v_[static_cast<size_t>(node * n.gpus + g)], cpu(node, cpu_of(g / n.pcie.gpus_per_switch)),
                  n.c2c_bandwidth, n.pcie.latency, LinkKind::pcie, p + "gpu" + std::to_string(g) + ":c2c",
                  "node.c2c_bandwidth");
    for (int k = 1; k < cpus; ++k)
      add_cable(cpu(node, 0), cpu(node, k), n.cpu_interconnect, n.pcie.latency, LinkKind::pcie,
                p + "cpu0:cpu" + std::to_string(k), "node.cpu_interconnect");
  }

  // Drives: read capacity out of a drive, write capacity into it.
  void wire_nvme(int node, const std::string& p) {
    const NodeSpec& n = c_.node;
    Bandwidth read = n.nvme_read * (1.0 / n.nvme_drives), write = n.nvme_write * (1.0 / n.nvme_drives);
    for (int d = 0; d < n.nvme_drives; ++d) {
      V drive = add_vertex();
      nvme_v_.push_back(drive);
      V host = drive_on_switch(d) ? psw(node, d / n.pcie.nvme_per_switch) : cpu(node, drive_cpu(d));
      std::string name = p + "nvme" + std::to_string(d) + (drive_on_switch(d) ? ":psw" : ":cpu");
      add_link(drive, host, read, Seconds(0), LinkKind::nvme, name + "->", "node.nvme_read");
      add_link(host, drive, write, Seconds(0), LinkKind::nvme, name + "<-", "node.nvme_write");
    }
  }

  int rails() const { return c_.fabric.kind == FabricKind::rail_optimized ? c_.node.nics.count : 1; }
  int units() const { return (nodes_ + c_.fabric.nodes_per_unit - 1) / c_.fabric.nodes_per_unit; }
  int pods() const { return (nodes_ + c_.fabric.pod_nodes - 1) / c_.fabric.pod_nodes; }
  int units_per_pod() const { return c_.fabric.pod_nodes / c_.fabric.nodes_per_unit; }
  int unit_of(int node) const { return node / c_.fabric.nodes_per_unit; }
  int pod_of_unit(int unit) const { return unit / units_per_pod(); }
  int rail_of_nic(int i) const { return rails() == 1 ? 0 : i; }

  void build_fabric() {
    const NodeSpec& n = c_.node;
    const FabricSpec& f = c_.fabric;
    for (int u = 0; u < units(); ++u)
      for (int r = 0; r < rails(); ++r) leaf_v_.push_back(add_vertex());
    // A link into a switch carries that switch's latency, so a route pays once
    // per switch it crosses (leaf; leaf, spine, leaf; ...).
    for (int node = 0; node < nodes_; ++node)
      for (int i = 0; i < n.nics.count; ++i) {
        V from = nic(node, i), to = leaf(unit_of(node), rail_of_nic(i));
        std::string name = "n" + std::to_string(node) + ".nic" + std::to_string(i) + ":leaf";
        add_link(from, to, n.nics.bandwidth, n.nics.latency + f.switch_latency, LinkKind::network, name + "->",
                 "node.nics.bandwidth");
        add_link(to, from, n.nics.bandwidth, n.nics.latency, LinkKind::network, name + "<-", "node.nics.bandwidth");
      }
    if (units() * rails() == 1) return;  // one leaf: no spine tier
    Bandwidth leaf_down = n.nics.bandwidth * (static_cast<double>(f.nodes_per_unit) * n.nics.count / rails());
    Bandwidth uplink = leaf_down * (1.0 / f.spines_per_pod);
    for (int pod = 0; pod < pods(); ++pod)
      for (int s = 0; s < f.spines_per_pod; ++s) spine_v_.push_back(add_vertex());
    for (int u = 0; u < units(); ++u)
      for (int r = 0; r < rails(); ++r)
        for (int s = 0; s < f.spines_per_pod; ++s)
          add_cable(leaf(u, r), spine(pod_of_unit(u), s), uplink, f.switch_latency, LinkKind::network,
                    "leaf" + std::to_string(u) + "." + std::to_string(r) + ":spine" + std::to_string(s),
                    "node.nics.bandwidth");
    if (pods() == 1) return;
    Bandwidth spine_down = uplink * (static_cast<double>(units_per_pod()) * rails());
    for (int s = 0; s < f.spines_per_pod; ++s) core_v_.push_back(add_vertex());
    for (int pod = 0; pod < pods(); ++pod)
      for (int s = 0; s < f.spines_per_pod; ++s)
        add_cable(spine(pod, s), core_v_[s], spine_down * (1.0 / f.oversubscription), f.switch_latency,
                  LinkKind::network, "pod" + std::to_string(pod) + ".spine" + std::to_string(s) + ":core",
                  "fabric.oversubscription");
  }

  // ------------------------------------------------------------ lookups
  V psw(int node, int s) const { return psw_v_[static_cast<size_t>(node * c_.node.pcie.switches + s)]; }
  V cpu(int node, int k) const { return cpu_v_[static_cast<size_t>(node * c_.node.pcie.cpus() + k)]; }
  V dram(int node, int k) const { return dram_v_[static_cast<size_t>(node * c_.node.pcie.cpus() + k)]; }
  V nic(int node, int i) const { return nic_v_[static_cast<size_t>(node * c_.node.nics.count + i)]; }
  V nvme(int node, int d) const { return nvme_v_[static_cast<size_t>(node * c_.node.nvme_drives + d)]; }
  int drives_on_switches() const { return c_.node.pcie.switches * c_.node.pcie.nvme_per_switch; }
  bool drive_on_switch(int d) const { return d < drives_on_switches(); }
  int drive_cpu(int d) const { return (d - drives_on_switches()) % c_.node.pcie.cpus(); }
  V leaf(int unit, int rail) const { return leaf_v_[static_cast<size_t>(unit * rails() + rail)]; }
  V spine(int pod, int s) const { return spine_v_[static_cast<size_t>(pod * c_.fabric.spines_per_pod + s)]; }
  int local(int gpu) const { return gpu % c_.node.gpus; }
  int switch_of(int gpu) const { return local(gpu) / c_.node.pcie.gpus_per_switch; }
  int cpu_of(int sw) const { return sw / c_.node.pcie.switches_per_cpu; }
  bool has_c2c() const { return c_.node.c2c_bandwidth.value() > 0; }
  // The NIC a GPU uses: one behind its own PCIe switch (its rail).
  int nic_of(int gpu) const override {
    const PcieSpec& p = c_.node.pcie;
    return switch_of(gpu) * p.nics_per_switch + (local(gpu) % p.gpus_per_switch) % p.nics_per_switch;
  }

  void check_gpu(int gpu) const {
    if (gpu < 0 || gpu >= num_gpus())
      throw std::out_of_range("GPU " + std::to_string(gpu) + " is not in this " + std::to_string(num_gpus()) +
                              "-GPU topology");
  }

  // ------------------------------------------------------------ routing
  void intra_node_path(int a, int b, std::vector<V>& path) const {
    int node = node_of(a);
    path.push_back(gpu_v_[a]);
    if (c_.node.nvswitch.present()) {
      path.push_back(nvsw_v_[node]);
    } else if (switch_of(a) == switch_of(b)) {
      path.push_back(psw(node, switch_of(a)));
    } else {
      path.push_back(psw(node, switch_of(a)));
      cpu_path(node, cpu_of(switch_of(a)), cpu_of(switch_of(b)), path);
      path.push_back(psw(node, switch_of(b)));
    }
    path.push_back(gpu_v_[b]);
  }

  // CPU ca, then CPU cb when it differs (sockets meet at CPU 0).
  void cpu_path(int node, int ca, int cb, std::vector<V>& path) const {
    path.push_back(cpu(node, ca));
    if (ca == cb) return;
    if (ca != 0 && cb != 0) path.push_back(cpu(node, 0));
    path.push_back(cpu(node, cb));
  }

  // The node-local index of the drive nearest to a GPU: one behind its PCIe
  // switch (the GPUs of a switch take its drives in turn), else one on its
  // CPU, else drive 0 of the CPU-attached ones.
  int nearest_drive(int gpu) const {
    const PcieSpec& p = c_.node.pcie;
    const int sw = switch_of(gpu), slot = local(gpu) % p.gpus_per_switch;
    if (p.nvme_per_switch > 0) return sw * p.nvme_per_switch + slot % p.nvme_per_switch;
    int on_cpus = c_.node.nvme_drives - drives_on_switches(), cpus = p.cpus(), c = cpu_of(sw);
    int here = c < on_cpus ? (on_cpus - c + cpus - 1) / cpus : 0;  // drives c, c + cpus, ...
    int k = here > 0 ? c + ((sw % p.switches_per_cpu) * p.gpus_per_switch + slot) % here * cpus : 0;
    return drives_on_switches() + k;
  }
  void require_nvme() const {
    if (!has_nvme())
      throw ConfigError({"", 0, "node.nvme_read"},
                        c_.name + " has no NVMe path: give node.nvme_read and node.nvme_write");
  }

  // GPU -> its PCIe switch -> [CPU(s)] -> the nearest drive.
  std::vector<V> nvme_path(int gpu) const {
    check_gpu(gpu);
    require_nvme();
    const int node = node_of(gpu), sw = switch_of(gpu), d = nearest_drive(gpu);
    std::vector<V> path{gpu_v_[gpu], psw(node, sw)};
    if (!drive_on_switch(d)) cpu_path(node, cpu_of(sw), drive_cpu(d), path);
    path.push_back(nvme(node, d));
    return path;
  }

  // The GPU's nearest drive -> its PCIe switch (if on one) -> CPU(s) -> the
  // DRAM of the GPU's socket (the pinned bounce buffers of DeepSpeed's aio).
  std::vector<V> nvme_host_path(int gpu) const {
    check_gpu(gpu);
    require_nvme();
    const int node = node_of(gpu), d = nearest_drive(gpu), home = cpu_of(switch_of(gpu));
    std::vector<V> path{nvme(node, d)};
    int at = drive_on_switch(d) ? cpu_of(d / c_.node.pcie.nvme_per_switch) : drive_cpu(d);
    if (drive_on_switch(d)) path.push_back(psw(node, d / c_.node.pcie.nvme_per_switch));
    cpu_path(node, at, home, path);
    path.push_back(dram(node, home));
    return path;
  }

  void inter_node_path(int a, int b, std::uint64_t spread, std::vector<V>& path) const {
    int na = node_of(a), nb = node_of(b);
    int ia = nic_of(a), ib = nic_of(b);
    int ua = unit_of(na), ub = unit_of(nb);
    V la = leaf(ua, rail_of_nic(ia)), lb = leaf(ub, rail_of_nic(ib));
    path.insert(path.end(), {gpu_v_[a], psw(na, switch_of(a)), nic(na, ia), la});
    if (la != lb) {
      int s = static_cast<int>(spread % static_cast<std::uint64_t>(c_.fabric.spines_per_pod));
      int pa = pod_of_unit(ua), pb = pod_of_unit(ub);
      path.push_back(spine(pa, s));
      if (pa != pb) path.insert(path.end(), {core_v_[static_cast<size_t>(s)], spine(pb, s)});
      path.push_back(lb);
    }
    path.insert(path.end(), {nic(nb, ib), psw(nb, switch_of(b)), gpu_v_[b]});
  }

  Route to_route(const std::vector<V>& path) const {
    Route r;
    r.reserve(path.size());
    for (size_t i = 1; i < path.size(); ++i) r.push_back(link_of_.at(key_of(path[i - 1], path[i])));
    return r;
  }

  ClusterSpec c_;
  int nodes_;
  Graph g_;
  std::vector<LinkSpec> links_;
  std::unordered_map<std::uint64_t, LinkId> link_of_;
  std::vector<V> gpu_v_, nvsw_v_, psw_v_, cpu_v_, dram_v_, nic_v_, nvme_v_, leaf_v_, spine_v_, core_v_;
};

}  // namespace

std::unique_ptr<Topology> build_topology(const ClusterSpec& cluster, int nodes) {
  if (nodes < 1) throw ConfigError(cluster_key(cluster, "nodes"), "a topology needs at least one node");
  check_topology_size(cluster, nodes);  // before any allocation
  return std::make_unique<GraphTopology>(cluster, nodes);
}

}  // namespace trainsim
