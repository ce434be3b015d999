// Max-min fair rates of one flow-network component (water-filling), the
// solver FlowNetwork runs on each recompute (flow_network.cpp). Private to
// sim/net.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/spec/link.hpp"  // LinkId

namespace trainsim {

// One max-min problem in compact (CSR) form. Flow i crosses the local links
// hops[first[i]] .. hops[first[i+1] - 1]; local link j has capacity[j] bytes/s
// (> 0) and global id link_id[j] (the tie-break between equal fair shares).
struct MaxMinProblem {
  std::vector<std::uint32_t> first{0};  // size flows() + 1
  std::vector<std::uint32_t> hops;      // local link index per hop
  std::vector<double> capacity;         // bytes/s per local link
  std::vector<LinkId> link_id;          // global id per local link

  std::size_t flows() const { return first.size() - 1; }
  std::size_t links() const { return capacity.size(); }
  void clear() {
    first.assign(1, 0);
    hops.clear();
    capacity.clear();
    link_id.clear();
  }
};

// Max-min fair rates by progressive filling ("water-filling", Bertsekas &
// Gallager, Data Networks, 2nd ed., §6.5): all unfrozen flows grow together
// until a link saturates; its flows freeze at its fair share, which is charged
// to their other links, and filling goes on with the rest.
// Cost: O(F·H + (L + R)·log L) for F flows of at most H hops over L links,
// where R ≤ F·H counts refreshed heap entries: a link keeps one entry, and
// since fair shares only rise while filling, an entry whose link's share rose
// since it was queued is re-queued when it reaches the top. Ties go to the
// lower global link id, so equal inputs give bit-identical rates. Scratch is
// kept between calls: a warm solver allocates nothing.
class MaxMinSolver {
 public:
  // Writes each flow's rate (bytes/s, > 0) to rates[i]; on every link the
  // rates sum to its capacity at most (up to rounding, relative ~1e-15).
  void solve(const MaxMinProblem& p, std::vector<double>& rates);

 private:
  struct Entry {
    double share;  // bytes/s per unfrozen flow when queued
    LinkId link_id;
    std::uint32_t local;
  };
  struct Later {  // min-heap on (share, global link id)
    bool operator()(const Entry& a, const Entry& b) const {
      return a.share != b.share ? a.share > b.share : a.link_id > b.link_id;
    }
  };

  double share(std::uint32_t j) const { return std::max(0.0, cap_left_[j]) / unfrozen_[j]; }

  // link -> flows in flow order, and the number of unfrozen flows per link.
  void transpose(const MaxMinProblem& p);
  // Freezes the unfrozen flows of link j at `rate` bytes/s, charging their links.
  void freeze_link(const MaxMinProblem& p, std::uint32_t j, double rate, std::vector<double>& rates);

  std::vector<std::uint32_t> link_first_, link_flows_, fill_;  // CSR link -> flows
  std::vector<double> cap_left_;                               // bytes/s not yet given to frozen flows
  std::vector<std::uint32_t> unfrozen_;                        // per link
  std::vector<char> frozen_;                                   // per flow
  std::vector<Entry> heap_;
};

}  // namespace trainsim
