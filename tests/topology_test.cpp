// Cluster graphs: every card builds a connected graph; routes have the
// expected shapes, are shortest paths of the graph, spread over equal paths,
// and share links where the hardware shares them.
#include <doctest/doctest.h>

#include <set>

#include "sim/config/hardware_loader.hpp"
#include "sim/topology/topology.hpp"

using namespace trainsim;

namespace {

Zoo zoo() { return Zoo(TRAINSIM_DEFAULT_DATA_DIR); }

ClusterSpec card(const std::string& name) {
  return load_cluster_card((zoo().root() / "topologies" / (name + ".yaml")).string(), zoo());
}

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

}  // namespace

TEST_CASE("every cluster card builds a connected graph with positive bandwidths") {
  for (const std::string& name : zoo().names(ZooKind::cluster)) {
    CAPTURE(name);
    auto t = build_topology(card(name), 3);
    CHECK(t->num_gpus() == 3 * t->cluster().node.gpus);
    for (const LinkSpec& l : t->links()) CHECK(l.capacity.value() > 0);
  }
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
}

TEST_CASE("routes are shortest paths of the graph") {
  for (const char* name : {"dgx-a100-80gb", "dgx-h100-80gb", "jeanzay-a100-80gb", "pcie-a100-80gb", "grandteton-h100-80gb-roce"}) {
    CAPTURE(name);
    ClusterSpec c = card(name);
    c.fabric.nodes_per_unit = 2;  // small units and pods so that every tier appears on 8 nodes
    c.fabric.pod_nodes = 4;
    auto t = build_topology(c, 8);
    int g = c.node.gpus;
    for (int dst : {1, g - 1, g, g + 3, 2 * g + 1, 5 * g + 2, 7 * g + g - 1}) {
      CAPTURE(dst);
      CHECK(static_cast<int>(t->route(0, dst).size()) == t->shortest_hops(0, dst));
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
  double spine_down = 50e9 * 8 * c.fabric.nodes_per_unit / c.fabric.spines_per_pod * (c.fabric.pod_nodes / c.fabric.nodes_per_unit);
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
