// Plausibility warnings (plausibility.hpp).
#include "sim/spec/plausibility.hpp"

#include <cmath>

#include "sim/core/format.hpp"
#include "sim/spec/limits.hpp"

namespace trainsim {
namespace {

std::string num(double v) { return general(v, 4); }

// "node.nics.bandwidth is 400 GB/s (3200 Gb/s), faster than any shipping NIC (800 Gb/s); ..."
std::string too_fast(const std::string& key, double bps, double fastest, const std::string& part,
                     const std::string& slip) {
  return "cluster card '" + key + "' is " + num(bps / 1e9) + " GB/s (" + num(bps * 8 / 1e9) +
         " Gb/s) per direction, faster than any shipping " + part + " (" + num(fastest / 1e9) + " GB/s, " +
         num(fastest * 8 / 1e9) + " Gb/s); " + slip + "; running with it as given";
}

}  // namespace

std::vector<std::string> implausible_link_rates(const ClusterSpec& c) {
  std::vector<std::string> out;
  const NodeSpec& n = c.node;
  const double nic = n.nics.bandwidth.value();
  if (nic > kFastestNicBps)
    out.push_back(too_fast("node.nics.bandwidth", nic, kFastestNicBps, "NIC",
                           "a NIC's rate is usually quoted in bits: did you mean \"" + num(nic / 1e9) + "Gbps\" (" +
                               num(nic / 8 / 1e9) + " GB/s) rather than \"" + num(nic / 1e9) + "GB/s\"?"));
  const double nvl = n.nvswitch.bandwidth.value();
  if (nvl > kFastestNvlinkBps)
    out.push_back(too_fast("node.nvswitch.bandwidth", nvl, kFastestNvlinkBps, "NVLink (NVLink 5)",
                           "the key is per GPU per direction: a bidirectional figure (NVLink 4: 900 GB/s, i.e. "
                           "450 GB/s each way) or a rate in bits is the likely slip"));
  const double pcie = n.pcie.bandwidth.value();
  if (pcie > kFastestPcieBps)
    out.push_back(too_fast("node.pcie.bandwidth", pcie, kFastestPcieBps, "PCIe link (6.0 x16)",
                           "the key is per link per direction: a bidirectional figure or GT/s x lanes in bits is "
                           "the likely slip (Gen5 x16: \"64GB/s\")"));
  const double eth = n.ethernet.bandwidth.value();
  if (n.ethernet.present() && eth > kFastestEthernetBps)
    out.push_back(too_fast("node.ethernet.bandwidth", eth, kFastestEthernetBps, "Ethernet port",
                           "a port's rate is quoted in bits: did you mean \"" + num(eth / 1e9) + "Gbps\"?"));
  return out;
}

std::string implausible_mfu(double mfu, const std::string& compute_profile) {
  if (!(mfu > kMaxPlausibleMfu)) return "";
  std::string cause = compute_profile.empty() ? "check the GPU card's peak.* FLOPS and the model card's sizes"
                                              : "check training.compute_profile '" + compute_profile +
                                                    "' (a zero or too small layer time, or times in the wrong unit)";
  return "the step's MFU is " + num(mfu * 100) +
         "%: faster than the GPUs' peak FLOPS allow (MFU cannot exceed 100%); " + cause;
}

}  // namespace trainsim
