// Flow-level network on the event engine: a transfer is a flow of bytes along
// a Route; concurrent flows share each link's capacity max-min fairly. Rates
// are recomputed only when a flow starts or ends, and only for the flows that
// (transitively) share links with the change.
//
// Cost: a start or finish costs one water-fill of the affected component,
// O(F·H·log L + F·log F + F·log E) for F flows of at most H hops over L links
// and E pending events; changes at the same instant share one water-fill.
// Memory: 112 B per live flow plus 8 B per hop (finished flows' slots are
// reused). Details and the algorithm: flow_network.cpp.
//
// The engine must outlive the network; destroying the network cancels its
// pending events. Errors (bad link specs, routes or byte counts) throw
// SimulationError.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "sim/core/engine.hpp"
#include "sim/spec/link.hpp"

namespace trainsim {

using FlowId = std::uint64_t;

struct FlowStats {
  std::uint64_t flows_started = 0;
  std::uint64_t flows_finished = 0;
  std::uint64_t rate_updates = 0;  // flows whose rate was recomputed
  double bytes_sent = 0;           // bytes handed to start()
  double bytes_delivered = 0;      // bytes of finished flows
};

class FlowNetwork {
 public:
  FlowNetwork(Engine& engine, const std::vector<LinkSpec>& links);
  ~FlowNetwork();

  // Starts moving `bytes` along `route` now. The flow's bytes start flowing
  // after the route's latency (sum of its links' latencies); `on_done` runs
  // when the last byte arrives. An empty route (same device) completes after
  // zero time. Returns the flow's id.
  FlowId start(const Route& route, Bytes bytes, std::function<void()> on_done);

  // The current rate of a live flow (bytes/s), for tests; 0 while it waits out
  // its latency and after it finished.
  Bandwidth rate(FlowId id) const;
  // Sum of the current rates of live flows on a link; never exceeds capacity.
  Bandwidth link_load(LinkId link) const;
  // Bytes that crossed a link so far (finished flows and progress of live ones,
  // up to now()).
  double link_bytes(LinkId link) const;

  const FlowStats& stats() const;
  std::size_t live_flows() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace trainsim
