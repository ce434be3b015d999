#include "sim/workload/program.hpp"

#include <algorithm>

namespace trainsim {

const char* to_string(Lane l) {
  switch (l) {
    case Lane::compute: return "compute";
    case Lane::tp_comm: return "tp_comm";
    case Lane::dp_comm: return "dp_comm";
    case Lane::pp_p2p: return "pp_p2p";
    case Lane::pcie: return "pcie";
    case Lane::nvme: return "nvme";
    case Lane::host: return "host";
  }
  return "unknown";
}

const char* to_string(Category c) {
  switch (c) {
    case Category::forward: return "forward";
    case Category::backward: return "backward";
    case Category::recompute: return "recompute";
    case Category::optimizer: return "optimizer";
    case Category::tp: return "tp";
    case Category::dp: return "dp";
    case Category::pp: return "pp";
    case Category::offload: return "offload";
  }
  return "?";
}

const char* to_string(GroupKind g) {
  switch (g) {
    case GroupKind::tp: return "tp";
    case GroupKind::cp: return "cp";
    case GroupKind::shard: return "dp";
    case GroupKind::embedding: return "embedding";
    case GroupKind::world: return "world";
    case GroupKind::replicate: return "dp_replicate";
    case GroupKind::reshard: return "reshard";
    case GroupKind::amax: return "amax";
    case GroupKind::ep: return "ep";
    case GroupKind::etp: return "etp";
    case GroupKind::ep_tp: return "ep_tp";
    case GroupKind::expert_dp: return "expert_dp";
  }
  return "?";
}

std::vector<int> group_ranks(const Layout& l, GroupKind g, int rank) {
  switch (g) {
    case GroupKind::tp: return l.group(Dim::tp, rank);
    case GroupKind::cp: return l.group(Dim::cp, rank);
    case GroupKind::shard: return l.shard_group(rank);
    case GroupKind::replicate: return l.replicate_group(rank);
    case GroupKind::reshard: return l.reshard_group(rank);
    case GroupKind::amax: return l.stage_group(rank);
    case GroupKind::ep: return l.ep_group(rank);
    case GroupKind::etp: return l.etp_group(rank);
    case GroupKind::ep_tp: return l.expert_tp_ep_group(rank);
    case GroupKind::expert_dp: return l.expert_dp_group(rank);
    case GroupKind::embedding: {
      std::vector<int> pp = l.group(Dim::pp, rank);
      return {pp.front(), pp.back()};
    }
    case GroupKind::world: {
      std::vector<int> all(l.world());
      for (int i = 0; i < l.world(); ++i) all[i] = i;
      return all;
    }
  }
  return {rank};
}

void append_spans(const StageProgram& prog, const Instr& in, int rank, Lane lane, SimTime start, SimTime end,
                  std::vector<TraceSpan>& out) {
  const bool moves = in.kind == InstrKind::collective || in.kind == InstrKind::launch || in.kind == InstrKind::copy ||
                     in.kind == InstrKind::send;
  auto push = [&](const SpanLabel& l, SimTime a, SimTime b, double flops) {
    TraceSpan& s = out.emplace_back();
    s.rank = rank;
    s.lane = lane;
    s.name = l.name;
    s.category = to_string(in.category);
    s.start_s = a.as_seconds();
    s.end_s = b.as_seconds();
    s.micro_batch = l.micro_batch;
    s.chunk = l.chunk;
    s.flops = flops;
    s.bytes = moves ? in.bytes.value() : 0;
    s.algorithm = l.algorithm;
    s.pass = l.pass;
  };
  if (in.kind != InstrKind::compute || in.host || in.part_end <= in.part_begin)
    return push(prog.labels.at(in.label), start, end, 0);
  SimTime t = start;
  for (int i = in.part_begin; i < in.part_end; ++i) {
    const ComputePart& p = prog.parts.at(i);
    const SimTime e = i + 1 == in.part_end ? end : std::min(end, t + p.duration);
    if (e > t) push(prog.labels.at(p.label), t, e, p.flops);
    t = e;
  }
}

}  // namespace trainsim
