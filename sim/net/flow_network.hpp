// Flow-level network on the event engine: a transfer is a flow of bytes along
// a Route; concurrent flows share each link's capacity max-min fairly. Rates
// are recomputed only when a flow starts or ends, and only for the flows that
// (transitively) share links with the change.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "sim/core/engine.hpp"
#include "sim/net/link.hpp"

namespace trainsim {

using FlowId = std::uint64_t;

struct FlowStats {
  std::uint64_t flows_started = 0;
  std::uint64_t flows_finished = 0;
  std::uint64_t rate_updates = 0;      // flows whose rate was recomputed
  double bytes_sent = 0;               // bytes handed to start()
  double bytes_delivered = 0;          // bytes of finished flows
};

class FlowNetwork {
 public:
  FlowNetwork(Engine& engine, std::vector<LinkSpec> links);
  ~FlowNetwork();

  // Starts moving `bytes` along `route` now. The flow's bytes start flowing
  // after the route's latency (sum of its links' latencies); `on_done` runs
  // when the last byte arrives. An empty route (same device) completes after
  // zero time. Returns the flow's id.
  FlowId start(const Route& route, Bytes bytes, std::function<void()> on_done);

  // The current rate of a live flow (bytes/s), for tests.
  Bandwidth rate(FlowId id) const;
  // Sum of the current rates of live flows on a link; never exceeds capacity.
  Bandwidth link_load(LinkId link) const;
  // Bytes that crossed a link so far (finished flows and progress of live ones).
  double link_bytes(LinkId link) const;

  const FlowStats& stats() const;
  std::size_t live_flows() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace trainsim
