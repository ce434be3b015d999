// Cluster graphs: every card builds a connected graph; routes have the
// expected shapes, are shortest paths of the graph, spread over equal paths,
// and share links where the hardware shares them.
#include <doctest/doctest.h>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "sim/core/error.hpp"
#include "sim/load/hardware_loader.hpp"
#include "sim/topology/topology.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::card;
using test::zoo;

std::string kinds(const Topology& t, const Route& r) {
  std::string out;
  for (LinkId l : r) out += std::string(out.empty() ? "" : " ") + to_string(t.links()[static_cast<size_t>(l)].kind);
  return out;
}

bool shares_link(const Route& a, const Route& b) {
  std::set<LinkId> s(a.begin(), a.end());
  for (LinkId l : b)
    if (s.count(l)) return true;
  return false;
}

// The DGX A100 card with `from` replaced by `to`, loaded from a temporary file.
ClusterSpec edited_card(const std::string& from, const std::string& to) {
  std::ifstream in(zoo().root() / "topologies" / "dgx-a100-80gb.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  auto path = std::filesystem::temp_directory_path() / "trainsim-topology-test-card.yaml";
  std::ofstream(path) << text;
  return load_cluster_card(path.string(), zoo());
}

// The key a ConfigError names, or "" when `f` does not throw one.
template <class F>
std::string error_key(F f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.where().key;
  }
  return "";
}

}  // namespace

TEST_CASE("every cluster card builds a connected graph with positive bandwidths") {
  for (const std::string& name : zoo().names(ZooKind::cluster)) {
    CAPTURE(name);
    auto t = build_topology(card(name), 3);
    CHECK(t->num_gpus() == 3 * t->cluster().node.gpus);
    for (const LinkSpec& l : t->links()) CHECK(l.capacity.value() > 0);
  }
}

TEST_CASE("link counts of two DGX A100 nodes") {
  auto t = build_topology(card("dgx-a100-80gb"), 2);
  // Per node, in directed links: GPU-NVSwitch 16, GPU-PCIe 16, NIC-PCIe 16,
  // PCIe-CPU 8, memory bus 2 (one link both ways per socket), CPU-CPU 2,
  // NVMe-PCIe 8 = 68. Fabric: NIC-leaf 32,
  // 8 rail leaves x 8 spines x 2 = 128 (no core: one pod).
  CHECK(t->links().size() == 2 * 68 + 32 + 128);
  std::set<std::string> names;
  for (const LinkSpec& l : t->links()) names.insert(l.name);
  CHECK(names.size() == t->links().size());
}

TEST_CASE("route shapes on DGX H100") {
  auto t = build_topology(card("dgx-h100-80gb"), 64);  // 2 scalable units of 32
  CHECK(kinds(*t, t->route(0, 5)) == "nvlink nvlink");
  // Same rail, same unit: one leaf hop.
  CHECK(kinds(*t, t->route(0, 8)) == "pcie pcie network network pcie pcie");
  // Other unit: leaf -> spine -> leaf.
  CHECK(t->route(0, 8 * 40).size() == 8);
  // Cross-rail between nodes goes through a spine even inside a unit.
  CHECK(t->route(0, 8 + 3).size() == 8);
  CHECK(t->has_nvls());
  // Latency: each switch crossed once (the leaf; or leaf, spine, leaf), NIC latency at both ends.
  auto latency = [&](const Route& r) {
    double s = 0;
    for (LinkId l : r) s += t->links()[static_cast<size_t>(l)].latency.value();
    return s;
  };
  const NodeSpec& n = t->cluster().node;
  double ends = 4 * n.pcie.latency.value() + 2 * n.nics.latency.value(),
         sw = t->cluster().fabric.switch_latency.value();
  CHECK(latency(t->route(0, 8)) == doctest::Approx(ends + sw));
  CHECK(latency(t->route(0, 8 * 40)) == doctest::Approx(ends + 3 * sw));
  CHECK(latency(t->route(0, 5)) == doctest::Approx(n.nvswitch.latency.value()));
}

TEST_CASE("routes are shortest paths of the graph") {
  for (const char* name :
       {"dgx-a100-80gb", "dgx-h100-80gb", "dgx-h200-141gb", "jeanzay-a100-80gb", "pcie-a100-80gb",
        "grandteton-h100-80gb-roce", "grandteton-h100-96gb-roce", "vtrain-a100", "deepseek-h800-ib"}) {
    CAPTURE(name);
    ClusterSpec c = card(name);
    c.fabric.nodes_per_unit = 2;  // small units and pods so that every tier appears on 8 nodes
    c.fabric.pod_nodes = 4;
    auto t = build_topology(c, 8);
    int g = c.node.gpus;
    for (int dst : {1, g - 1, g, g + 3, 2 * g + 1, 5 * g + 2, 7 * g + g - 1}) {
      CAPTURE(dst);
      for (std::uint64_t spread = 0; spread < 9; ++spread)
        CHECK(static_cast<int>(t->route(0, dst, spread).size()) == t->shortest_hops(0, dst));
    }
  }
}

TEST_CASE("ECMP spreads over spines deterministically") {
  auto t = build_topology(card("dgx-h100-80gb"), 64);
  std::set<Route> paths;
  for (std::uint64_t s = 0; s < 16; ++s) paths.insert(t->route(0, 8 * 40, s));
  CHECK(paths.size() == 8);  // 8 spines per pod
  CHECK(t->route(0, 8 * 40, 3) == t->route(0, 8 * 40, 3));
}

TEST_CASE("oversubscription above Grand Teton pods") {
  ClusterSpec c = card("grandteton-h100-80gb-roce");
  auto t = build_topology(c, 2 * c.fabric.pod_nodes);
  Route in_pod = t->route(0, 8 * 10);
  Route cross = t->route(0, 8 * (c.fabric.pod_nodes + 10));
  CHECK(cross.size() == in_pod.size() + 2);
  double min_in = 1e30, min_cross = 1e30;
  for (LinkId l : in_pod) min_in = std::min(min_in, t->links()[static_cast<size_t>(l)].capacity.value());
  for (LinkId l : cross) min_cross = std::min(min_cross, t->links()[static_cast<size_t>(l)].capacity.value());
  CHECK(min_in == doctest::Approx(50e9));  // the 400 Gb/s NIC
  // The spine -> core link of a spine carries its pod's share / 7.
  double spine_down =
      50e9 * 8 * c.fabric.nodes_per_unit / c.fabric.spines_per_pod * (c.fabric.pod_nodes / c.fabric.nodes_per_unit);
  bool found = false;
  for (LinkId l : cross)
    if (t->links()[static_cast<size_t>(l)].capacity.value() == doctest::Approx(spine_down / 7)) found = true;
  CHECK(found);
}

TEST_CASE("PCIe sharing: two GPUs behind one DGX A100 switch share its uplink to the CPU") {
  auto t = build_topology(card("dgx-a100-80gb"), 1);
  CHECK(shares_link(t->route_to_host(0), t->route_to_host(1)));
  CHECK_FALSE(shares_link(t->route_to_host(0), t->route_to_host(4)));  // the other socket
  // GPU 0's NIC traffic and GPU 1's host copies meet on the switch (GPU 1 -> psw -> cpu vs GPU 0 -> psw -> NIC).
  auto t2 = build_topology(card("dgx-a100-80gb"), 2);
  Route net = t2->route(0, 8);
  CHECK(kinds(*t2, t2->route_from_host(0)) == "host_memory pcie pcie");
  CHECK(net.size() == 6);
}

TEST_CASE("NVMe swaps to host memory cross the drive's PCIe switch uplink and the socket's memory bus") {
  auto t = build_topology(card("dgx-a100-80gb"), 1);
  const Route read = t->route_nvme_to_host(1), write = t->route_host_to_nvme(1);
  CHECK(kinds(*t, read) == "nvme pcie host_memory");
  CHECK(kinds(*t, write) == "host_memory pcie nvme");
  // The switch uplink (psw -> cpu) a GPU's copies to host use carries the neighbour's NVMe reads too.
  const Route copy0 = t->route_to_host(0);
  CHECK(std::find(read.begin(), read.end(), copy0[1]) != read.end());
  CHECK(t->links()[static_cast<size_t>(copy0[1])].name.find("psw0:cpu") != std::string::npos);
  // One memory bus both ways: a copy in, a copy out and a swap of the socket meet on it.
  const LinkId bus = t->memory_bus(0, 0);
  CHECK(copy0.back() == bus);
  CHECK(t->route_from_host(0).front() == bus);
  CHECK(read.back() == bus);
  CHECK(write.front() == bus);
  CHECK(t->memory_bus(0, 1) != bus);
  CHECK_FALSE(shares_link(read, t->route_nvme_to_host(4)));  // other socket, other switch, other drive
  // Drives on the CPUs' lanes: the swap reaches the GPU's socket through the socket interconnect when needed.
  ClusterSpec on_cpus = card("dgx-a100-80gb");
  on_cpus.node.pcie.nvme_per_switch = 0;
  auto c = build_topology(on_cpus, 1);
  CHECK(kinds(*c, c->route_nvme_to_host(0)) == "nvme host_memory");
  CHECK_THROWS_AS(build_topology(card("jeanzay-a100-80gb"), 1)->route_nvme_to_host(0), ConfigError);
}

TEST_CASE("cross-rail and cross-pod route shapes") {
  ClusterSpec c = card("dgx-a100-80gb");  // SU of 20 nodes, pod of 140
  auto t = build_topology(c, 2 * c.fabric.pod_nodes);
  CHECK(kinds(*t, t->route(0, 8)) == "pcie pcie network network pcie pcie");                      // same rail, same SU
  CHECK(kinds(*t, t->route(0, 8 + 1)) == "pcie pcie network network network network pcie pcie");  // cross rail
  CHECK(t->route(0, 8 * 25).size() == 8);                                                         // other SU, same pod
  CHECK(kinds(*t, t->route(0, 8 * (c.fabric.pod_nodes + 3))) ==
        "pcie pcie network network network network network network pcie pcie");  // other pod, via a core
  // The two directions of a cable are distinct links.
  CHECK_FALSE(shares_link(t->route(0, 8), t->route(8, 0)));
}

TEST_CASE("ECMP: equal paths, all shortest, spread evenly") {
  ClusterSpec c = card("grandteton-h100-80gb-roce");
  c.fabric.nodes_per_unit = 2;
  c.fabric.pod_nodes = 4;
  auto t = build_topology(c, 8);
  int hops = t->shortest_hops(0, 8 * 5);
  std::map<Route, int> used;
  for (std::uint64_t s = 0; s < 8 * 100; ++s) {
    Route r = t->route(0, 8 * 5, s);
    CHECK(static_cast<int>(r.size()) == hops);
    ++used[r];
  }
  CHECK(used.size() == static_cast<size_t>(c.fabric.spines_per_pod));
  for (const auto& [r, n] : used) CHECK(n == 100);
}

TEST_CASE("NVMe routes reach the nearest drive") {
  auto a100 = build_topology(card("dgx-a100-80gb"), 1);  // 4 drives, one behind each PCIe switch
  REQUIRE(a100->has_nvme());
  CHECK(kinds(*a100, a100->route_to_nvme(0)) == "pcie nvme");
  CHECK(kinds(*a100, a100->route_from_nvme(7)) == "nvme pcie");
  CHECK(a100->route_to_nvme(0).back() == a100->route_to_nvme(1).back());     // the two GPUs of a switch share its drive
  CHECK_FALSE(shares_link(a100->route_to_nvme(0), a100->route_to_nvme(2)));  // other switch, other drive
  ClusterSpec on_cpus = card("dgx-a100-80gb");
  on_cpus.node.pcie.nvme_per_switch = 0;  // drives on the CPUs' own lanes, 2 per socket
  auto cpu_drives = build_topology(on_cpus, 1);
  CHECK(kinds(*cpu_drives, cpu_drives->route_to_nvme(0)) == "pcie pcie nvme");
  CHECK(cpu_drives->route_to_nvme(0) != cpu_drives->route_to_nvme(1));  // GPUs of one switch use different drives
  CHECK_FALSE(shares_link(cpu_drives->route_to_nvme(0), cpu_drives->route_to_nvme(4)));  // other socket
  double read = 0;
  for (LinkId l : a100->route_from_nvme(0)) {
    const LinkSpec& s = a100->links()[static_cast<size_t>(l)];
    if (s.kind == LinkKind::nvme) read = s.capacity.value();
  }
  CHECK(read == doctest::Approx(9.3e9 / 4));
  auto jz = build_topology(card("jeanzay-a100-80gb"), 1);
  CHECK_FALSE(jz->has_nvme());
  CHECK_THROWS_AS(jz->route_to_nvme(0), ConfigError);
  auto h = build_topology(card("dgx-h100-80gb"), 1);
  CHECK(kinds(*h, h->route_to_nvme(3)) == "pcie nvme");
}

TEST_CASE("bad cluster cards name the key at fault") {
  CHECK(error_key([] { edited_card("bandwidth: \"32GB/s\"", "bandwidth: \"0GB/s\""); }) == "node.pcie.bandwidth");
  CHECK(error_key([] { edited_card("bandwidth: \"200Gbps\"", "bandwidth: \"0Gbps\""); }) == "node.nics.bandwidth");
  CHECK(error_key([] { edited_card("gpus_per_switch: 2", "gpus_per_switch: 3"); }) == "node.pcie.gpus_per_switch");
  CHECK(error_key([] { edited_card("count: 8 ", "count: 6 "); }) == "node.pcie.nics_per_switch");
  CHECK(error_key([] { edited_card("switches_per_cpu: 2", "switches_per_cpu: 3"); }) == "node.pcie.switches_per_cpu");
  CHECK(error_key([] { edited_card("pod_nodes: 140", "pod_nodes: 130"); }) == "fabric.pod_nodes");
  CHECK(error_key([] { edited_card("leaf_radix: 40", "leaf_radix: 32"); }) == "fabric.leaf_radix");
  CHECK(error_key([] { edited_card("oversubscription: 1", "oversubscription: 0.5"); }) == "fabric.oversubscription");
  CHECK(error_key([] { edited_card("nvme_write: \"8.2GB/s\"", "nvme_write: \"0GB/s\""); }) == "node.nvme_write");
  CHECK(error_key([] { edited_card("nvme_per_switch: 1", "nvme_per_switch: 2"); }) == "node.pcie.nvme_per_switch");
  // The key table's largest count: 4 switches x 2^30 drives wrapped an int to 0
  // and passed the check, then the route to the drive read past the vertices
  // (SIGSEGV; found by tests/cli/property_keys.py).
  CHECK(error_key([] { edited_card("nvme_per_switch: 1", "nvme_per_switch: 1073741824"); }) ==
        "node.pcie.nvme_per_switch");
  CHECK(error_key([] { edited_card("gpus_per_switch: 2", "gpus_per_switch: 1073741824"); }) ==
        "node.pcie.gpus_per_switch");
}

TEST_CASE("bad specs built in code are refused with the key") {
  ClusterSpec c = card("dgx-a100-80gb");
  ClusterSpec zero_pcie = c;
  zero_pcie.node.pcie.bandwidth = Bandwidth(0);
  CHECK(error_key([&] { build_topology(zero_pcie, 1); }) == "node.pcie.bandwidth");
  ClusterSpec zero_nic = c;
  zero_nic.node.nics.bandwidth = Bandwidth(0);
  CHECK(error_key([&] { build_topology(zero_nic, 2); }) == "node.nics.bandwidth");
  ClusterSpec odd = c;
  odd.node.pcie.gpus_per_switch = 3;
  CHECK(error_key([&] { build_topology(odd, 1); }) == "node.pcie.gpus_per_switch");
  ClusterSpec no_spine = c;
  no_spine.fabric.spines_per_pod = 0;
  CHECK(error_key([&] { build_topology(no_spine, 1); }) == "fabric.spines_per_pod");
  CHECK(error_key([&] { build_topology(c, 0); }) == "nodes");
  try {
    build_topology(zero_pcie, 1);
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("dgx-a100-80gb.yaml") != std::string::npos);
  }
}

TEST_CASE("PCIe-only node: GPUs meet through switches and CPUs") {
  auto t = build_topology(card("pcie-a100-80gb"), 1);
  CHECK(kinds(*t, t->route(0, 1)) == "pcie pcie");
  CHECK(kinds(*t, t->route(0, 2)) == "pcie pcie pcie pcie");
  CHECK(kinds(*t, t->route(0, 7)) == "pcie pcie pcie pcie pcie");
  CHECK_FALSE(t->has_nvls());
}

TEST_CASE("bad routes are refused") {
  auto t = build_topology(card("dgx-a100-80gb"), 1);
  CHECK_THROWS(t->route(0, 0));
  CHECK_THROWS(t->route(0, 8));
}

TEST_CASE("16384 GPUs: the graph builds and structural routes stay cheap") {
  auto t = build_topology(card("dgx-h100-80gb"), 2048);  // ~0.15 s; 200k routes ~0.2 s (RelWithDebInfo)
  REQUIRE(t->num_gpus() == 16384);
  std::size_t hops = 0;
  for (std::int64_t i = 0; i < 200000; ++i) {
    int src = static_cast<int>((i * 7919) % 16384), dst = static_cast<int>((i * 104729 + 1) % 16384);
    if (src != dst) hops += t->route(src, dst, static_cast<std::uint64_t>(i)).size();
  }
  CHECK(hops > 0);
  CHECK(t->links().size() == 217344 - 2 * 2048);  // one memory-bus link per socket
}
