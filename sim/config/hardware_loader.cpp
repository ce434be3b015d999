#include "sim/config/hardware_loader.hpp"

#include <filesystem>

#include "sim/config/config_doc.hpp"

namespace trainsim {
namespace {

std::string display_name(const ConfigDoc& d) {
  return d.given("name") ? d.get_string("name") : std::filesystem::path(d.file()).stem().string();
}

}  // namespace

FlopRate GpuSpec::peak(Precision p) const {
  switch (p) {
    case Precision::fp32: return peak_tf32;  // fp32 training runs GEMMs on TF32 tensor cores
    case Precision::fp16: return peak_fp16;
    case Precision::bf16: return peak_bf16;
    case Precision::fp8:
      if (!peak_fp8) throw std::invalid_argument(name + " has no FP8 tensor cores; use bf16 or fp16");
      return *peak_fp8;
  }
  return peak_bf16;
}

GpuSpec load_gpu_card(const std::string& path) {
  ConfigDoc d = ConfigDoc::load_file(path, gpu_keys());
  GpuSpec g;
  g.name = display_name(d);
  g.source = d.get_string("source");
  g.sms = static_cast<int>(d.get_int("sms"));
  g.peak_fp32 = FlopRate(d.get_quantity("peak.fp32"));
  g.peak_tf32 = FlopRate(d.get_quantity("peak.tf32"));
  g.peak_fp16 = FlopRate(d.get_quantity("peak.fp16"));
  g.peak_bf16 = FlopRate(d.get_quantity("peak.bf16"));
  if (d.given("peak.fp8")) g.peak_fp8 = FlopRate(d.get_quantity("peak.fp8"));
  g.hbm = Bytes(d.get_quantity("hbm"));
  g.hbm_bandwidth = Bandwidth(d.get_quantity("hbm_bandwidth"));
  for (const char* key : {"peak.fp32", "peak.tf32", "peak.fp16", "peak.bf16", "hbm", "hbm_bandwidth"})
    if (d.get_quantity(key) <= 0) d.fail(key, "must be positive");
  return g;
}

ClusterSpec load_cluster_card(const std::string& path, const Zoo& zoo) {
  ConfigDoc d = ConfigDoc::load_file(path, cluster_keys());
  ClusterSpec c;
  c.name = display_name(d);
  c.source = d.get_string("source");
  c.nodes = static_cast<int>(d.get_int("nodes"));
  c.node.gpus = static_cast<int>(d.get_int("node.gpus"));
  auto gpu_file = zoo.resolve(ZooKind::gpu, d.get_string("node.gpu"), path, d.where("node.gpu"));
  c.node.gpu = load_gpu_card(gpu_file.string());
  c.node.host_memory = Bytes(d.get_quantity("node.host_memory"));
  c.node.host_memory_bandwidth = Bandwidth(d.get_quantity("node.host_memory_bandwidth"));
  c.node.nvme_capacity = Bytes(d.get_quantity("node.nvme_capacity"));
  c.node.nvme_read = Bandwidth(d.get_quantity("node.nvme_read"));
  c.node.nvme_write = Bandwidth(d.get_quantity("node.nvme_write"));
  if (c.node.host_memory.value() <= 0) d.fail("node.host_memory", "must be positive");
  if (c.node.host_memory_bandwidth.value() <= 0) d.fail("node.host_memory_bandwidth", "must be positive");
  return c;
}

}  // namespace trainsim
