#include "sim/load/hardware_loader.hpp"

#include <algorithm>
#include <filesystem>

#include "sim/config/config_doc.hpp"
#include "sim/load/doc_read.hpp"
#include "sim/topology/cluster_check.hpp"

namespace trainsim {
namespace {

std::string display_name(const ConfigDoc& d) {
  return d.given("name") ? d.get_string("name") : std::filesystem::path(d.file()).stem().string();
}

std::vector<CardAssumption> read_assumptions(const ConfigDoc& d);

GpuSpec gpu_from_doc(const ConfigDoc& d) {
  GpuSpec g;
  g.name = display_name(d);
  g.source = d.get_string("source");
  g.sms = static_cast<int>(d.get_int("sms"));
  g.peak_fp32 = FlopRate(d.get_quantity("peak.fp32"));
  g.peak_tf32 = FlopRate(d.get_quantity("peak.tf32"));
  g.peak_fp16 = FlopRate(d.get_quantity("peak.fp16"));
  g.peak_bf16 = FlopRate(d.get_quantity("peak.bf16"));
  if (d.given("peak.fp8")) g.peak_fp8 = FlopRate(d.get_quantity("peak.fp8"));
  if (d.given("peak.fp4")) g.peak_fp4 = FlopRate(d.get_quantity("peak.fp4"));
  g.compute_capability = g.peak_fp8 ? 9.0 : 8.0;
  if (d.given("compute_capability")) g.compute_capability = d.get_number("compute_capability");
  if (g.compute_capability < 1 || g.compute_capability >= 100)
    d.fail("compute_capability", "must be a CUDA compute capability such as 9.0");
  g.hbm = Bytes(d.get_quantity("hbm"));
  g.hbm_bandwidth = Bandwidth(d.get_quantity("hbm_bandwidth"));
  for (const char* key : {"peak.fp32", "peak.tf32", "peak.fp16", "peak.bf16", "hbm", "hbm_bandwidth"})
    if (d.get_quantity(key) <= 0) d.fail(key, "must be positive");
  if (g.peak_fp4 && g.compute_capability < 10.0)
    d.fail("peak.fp4", "FP4 tensor cores need compute capability 10.0 or more (Blackwell); give compute_capability");
  if (d.given("tdp")) g.tdp_watts = d.get_quantity("tdp");
  g.validated = d.get_bool("validated");
  g.assumptions = read_assumptions(d);
  if (!g.validated) g.assumptions.push_back({"validated", "false", false});  // said in every run's assumptions
  return g;
}

}  // namespace

GpuSpec load_gpu_card(const std::string& path) { return gpu_from_doc(ConfigDoc::load_file(path, gpu_keys())); }

GpuSpec load_gpu_card_string(const std::string& yaml, const std::string& file) {
  return gpu_from_doc(ConfigDoc::load_string(yaml, file, gpu_keys()));
}

namespace {

int count_of(const ConfigDoc& d, const char* key) { return static_cast<int>(d.get_int(key)); }

Bandwidth positive_bw(const ConfigDoc& d, const char* key) {
  double v = d.get_quantity(key);
  if (v <= 0) d.fail(key, "must be a positive bandwidth, e.g. \"32GB/s\"");
  return Bandwidth(v);
}

void read_node(const ConfigDoc& d, NodeSpec& n) {
  n.host_memory = Bytes(d.get_quantity("node.host_memory"));
  n.host_memory_bandwidth = positive_bw(d, "node.host_memory_bandwidth");
  if (n.host_memory.value() <= 0) d.fail("node.host_memory", "must be positive");
  n.nvme_capacity = Bytes(d.get_quantity("node.nvme_capacity"));
  n.nvme_read = Bandwidth(d.get_quantity("node.nvme_read"));
  n.nvme_write = Bandwidth(d.get_quantity("node.nvme_write"));
  n.nvme_drives = count_of(d, "node.nvme_drives");
  // Read by trainsim compare (sim/buy) only; checked here like every card key.
  if (d.given("node.storage_bandwidth")) d.get_quantity("node.storage_bandwidth");  // its range (>= 0)
  n.nvme_latency = Seconds(d.get_quantity("node.nvme_latency"));
  n.aio_submit_latency = Seconds(d.get_quantity("node.aio_submit_latency"));
  n.cpu_adam_rate = d.get_quantity("node.cpu_adam_throughput");
  if (n.cpu_adam_rate <= 0)
    d.fail("node.cpu_adam_throughput", "must be positive, e.g. \"10B\" (parameters per second)");
  if ((n.nvme_read.value() > 0) != (n.nvme_write.value() > 0))
    d.fail(n.nvme_read.value() > 0 ? "node.nvme_write" : "node.nvme_read",
           "give both node.nvme_read and node.nvme_write (or neither: no NVMe path in the graph)");
  n.nvswitch.bandwidth = Bandwidth(d.get_quantity("node.nvswitch.bandwidth"));
  n.nvswitch.latency = Seconds(d.get_quantity("node.nvswitch.latency"));
  n.nvswitch.nvls = d.get_bool("node.nvswitch.nvls");
  if (n.nvswitch.nvls && !n.nvswitch.present())
    d.fail("node.nvswitch.nvls", "NVLink SHARP needs an NVSwitch: give node.nvswitch.bandwidth");
  n.cpu_interconnect = positive_bw(d, "node.cpu_interconnect");
  n.c2c_bandwidth = Bandwidth(d.get_quantity("node.c2c_bandwidth"));
}

void read_pcie(const ConfigDoc& d, NodeSpec& n) {
  PcieSpec& p = n.pcie;
  p.switches = count_of(d, "node.pcie.switches");
  p.gpus_per_switch = count_of(d, "node.pcie.gpus_per_switch");
  p.nics_per_switch = count_of(d, "node.pcie.nics_per_switch");
  p.nvme_per_switch = count_of(d, "node.pcie.nvme_per_switch");
  p.switches_per_cpu = count_of(d, "node.pcie.switches_per_cpu");
  p.bandwidth = positive_bw(d, "node.pcie.bandwidth");
  p.latency = Seconds(d.get_quantity("node.pcie.latency"));
  p.pinned_efficiency = d.get_quantity("node.pcie.pinned_efficiency");
  p.pageable_factor = d.get_quantity("node.pcie.pageable_factor");
  for (const char* key : {"node.pcie.pinned_efficiency", "node.pcie.pageable_factor"})
    if (d.get_quantity(key) <= 0 || d.get_quantity(key) > 1) d.fail(key, "must be in (0, 1]");
  n.nics.count = count_of(d, "node.nics.count");
  n.nics.bandwidth = positive_bw(d, "node.nics.bandwidth");
  n.nics.latency = Seconds(d.get_quantity("node.nics.latency"));
  n.ethernet.count = count_of(d, "node.ethernet.count");
  n.ethernet.bandwidth = Bandwidth(d.get_quantity("node.ethernet.bandwidth"));
  n.ethernet.latency = Seconds(d.get_quantity("node.ethernet.latency"));
  n.ethernet.stream_bandwidth = positive_bw(d, "node.ethernet.stream_bandwidth");
  if ((n.ethernet.count > 0) != (n.ethernet.bandwidth.value() > 0))
    d.fail(n.ethernet.count > 0 ? "node.ethernet.bandwidth" : "node.ethernet.count",
           "give both node.ethernet.count and node.ethernet.bandwidth (or neither: no socket transport)");
}

// The card's `assumed` list ("a.b, c.d"): each a declared key of the card that
// holds a value; then every key the card leaves to a default that is itself an
// assumption (KeyDef::assumed_default). In the key table's order.
std::vector<CardAssumption> read_assumptions(const ConfigDoc& d) {
  std::vector<std::string> listed;
  std::string text = d.get_string("assumed");
  for (size_t start = 0; start <= text.size();) {
    size_t comma = std::min(text.find(',', start), text.size());
    std::string item = text.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    start = comma + 1;
    if (item.empty()) continue;
    const KeyDef* def = d.table().find(item);
    if (!def || item == "assumed" || item == "name" || item == "source" || item == "node.gpu")
      d.fail("assumed", "'" + item + "' is not a card value that can be assumed; list keys such as " +
                            "node.cpu_adam_throughput or node.nics.latency" +
                            (def ? "" : " (did you mean '" + d.table().nearest(item) + "'?)"));
    listed.push_back(item);
  }
  std::vector<CardAssumption> out;
  for (const KeyDef& k : d.table().keys()) {
    const bool named = std::find(listed.begin(), listed.end(), k.path) != listed.end();
    if (named || (k.assumed_default && !d.given(k.path))) out.push_back({k.path, d.text_of(k.path), !named});
  }
  return out;
}

void read_fabric(const ConfigDoc& d, ClusterSpec& c) {
  FabricSpec& f = c.fabric;
  f.kind = pick<FabricKind>(d, "fabric.kind");
  f.nodes_per_unit = count_of(d, "fabric.nodes_per_unit");
  f.pod_nodes = count_of(d, "fabric.pod_nodes");
  f.spines_per_pod = d.given("fabric.spines_per_pod") ? count_of(d, "fabric.spines_per_pod") : c.node.nics.count;
  f.leaf_radix = count_of(d, "fabric.leaf_radix");
  f.oversubscription = d.get_number("fabric.oversubscription");
  f.switch_latency = Seconds(d.get_quantity("fabric.switch_latency"));
}

ClusterSpec cluster_from_doc(const ConfigDoc& d, const std::string& path, const Zoo& zoo) {
  ClusterSpec c;
  c.name = display_name(d);
  c.file = path;
  c.source = d.get_string("source");
  c.nodes = static_cast<int>(d.get_int("nodes"));
  c.node.gpus = static_cast<int>(d.get_int("node.gpus"));
  auto gpu_file = zoo.resolve(ZooKind::gpu, d.get_string("node.gpu"), path, d.where("node.gpu"));
  c.node.gpu = load_gpu_card(gpu_file.string());
  read_node(d, c.node);
  read_pcie(d, c.node);
  read_fabric(d, c);
  c.assumptions = read_assumptions(d);
  for (const CardAssumption& a : c.node.gpu.assumptions)  // the GPU card's derived values, under its key
    c.assumptions.push_back({"node.gpu." + a.key, a.value, a.defaulted});
  // The structural rules (PCIe pattern adds up, pods of whole units, leaf radix)
  // live in one place, check_cluster_shape; here they get the card's file:line.
  try {
    check_cluster_shape(c);
  } catch (const ConfigError& e) {
    d.fail(e.where().key, e.message());
  }
  return c;
}

}  // namespace

ClusterSpec load_cluster_card(const std::string& path, const Zoo& zoo) {
  return cluster_from_doc(ConfigDoc::load_file(path, cluster_keys()), path, zoo);
}

ClusterSpec load_cluster_card_string(const std::string& yaml, const std::string& file, const Zoo& zoo) {
  return cluster_from_doc(ConfigDoc::load_string(yaml, file, cluster_keys()), file, zoo);
}

}  // namespace trainsim
