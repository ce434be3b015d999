#include "sim/workload/emitter.hpp"

#include <algorithm>

namespace trainsim {
namespace {

SimTime to_sim_time(Seconds seconds) { return SimTime::from_seconds(std::max(0.0, seconds.value())); }

}  // namespace

Emitter::Emitter(const StepPlan& p, int stage) : p_(p) { prog_.stage = stage; }

int Emitter::label(const std::string& name, int micro_batch, int chunk) {
  auto [it, added] = labels_.emplace(name, static_cast<int>(prog_.labels.size()));
  if (added) prog_.labels.push_back({name, micro_batch, chunk});
  return it->second;
}

Instr& Emitter::push(InstrKind kind, Category c, Lane lane, Bytes bytes, Seconds seconds, int lbl) {
  Instr& i = prog_.instrs.emplace_back();
  i.kind = kind;
  i.category = c;
  i.lane = lane;
  i.bytes = bytes;
  i.duration = to_sim_time(seconds);
  i.label = lbl;
  return i;
}

void Emitter::compute(Seconds seconds, Category c, int lbl, bool host) {
  if (seconds.value() <= 0) return;
  if (!prog_.instrs.empty()) {
    Instr& last = prog_.instrs.back();
    if (last.kind == InstrKind::compute && last.category == c && last.label == lbl && last.host == host) {
      last.duration = last.duration + to_sim_time(seconds);
      return;
    }
  }
  push(InstrKind::compute, c, Lane::compute, Bytes(0), seconds, lbl).host = host;
}

void Emitter::blocking(GroupKind g, CollectiveOp op, Bytes bytes, Seconds exposed, Lane lane, Category c, int lbl) {
  if (group_size(g) <= 1) return;
  collective(InstrKind::collective, g, op, bytes, exposed, lane, c, lbl);
}

int Emitter::launch(GroupKind g, CollectiveOp op, Bytes bytes, Seconds seconds, int lbl) {
  if (group_size(g) <= 1 || bytes.value() <= 0) {
    after_ = 0;  // a dependency of a collective that does not run is the caller's to wait for
    return launches_;
  }
  collective(InstrKind::launch, g, op, bytes, seconds, Lane::dp_comm, Category::dp, lbl);
  return ++launches_;
}

void Emitter::wait(Lane lane, int count) {
  if (count <= 0) return;
  const Category c = lane == Lane::dp_comm ? Category::dp : Category::offload;
  push(InstrKind::wait_lane, c, lane, Bytes(0), Seconds(0), 0).count = count;
}

void Emitter::after(Lane lane, int count) {
  after_lane_ = lane;
  after_ = count;
}

int Emitter::queued(Lane lane) const { return lane == Lane::pcie ? pcie_ : lane == Lane::nvme ? nvme_ : launches_; }

int Emitter::copy(CopyKind kind, Bytes bytes, Seconds seconds, int lbl) {
  const bool disk = kind == CopyKind::nvme_read || kind == CopyKind::nvme_write;
  int& n = disk ? nvme_ : pcie_;
  if (bytes.value() <= 0) return n;
  prog_.offload_bytes[static_cast<int>(kind)] += bytes;
  Instr& i = push(InstrKind::copy, Category::offload, disk ? Lane::nvme : Lane::pcie, bytes, seconds, lbl);
  i.copy = kind;
  i.after_lane = after_lane_;
  i.after = after_;
  after_ = 0;
  return ++n;
}

void Emitter::send(int peer_stage, int message, Bytes bytes, Seconds seconds, int lbl) {
  prog_.comm_bytes["pp.send_recv"] += bytes;
  Instr& i = push(InstrKind::send, Category::pp, Lane::pp_p2p, bytes, seconds, lbl);
  i.peer_stage = peer_stage;
  i.message = message;
}

void Emitter::recv(int message) {
  push(InstrKind::recv, Category::pp, Lane::compute, Bytes(0), Seconds(0), 0).message = message;
}

void Emitter::memory(bool alloc, MemKind kind, Bytes bytes) {
  if (bytes.value() <= 0) return;
  const InstrKind k = alloc ? InstrKind::alloc : InstrKind::free;
  push(k, Category::forward, Lane::compute, bytes, Seconds(0), 0).memory = kind;
}

void Emitter::collective(InstrKind kind, GroupKind g, CollectiveOp op, Bytes bytes, Seconds seconds, Lane lane,
                         Category c, int lbl) {
  prog_.comm_bytes[std::string(to_string(g)) + "." + to_string(op)] += bytes_sent_per_gpu(op, bytes, group_size(g));
  Instr& i = push(kind, c, lane, bytes, seconds, lbl);
  i.group = g;
  i.op = op;
  if (kind == InstrKind::launch) {
    i.after_lane = after_lane_;
    i.after = after_;
    after_ = 0;
  }
}

int Emitter::group_size(GroupKind g) const {
  switch (g) {
    case GroupKind::tp: return p_.tp_group.ranks;
    case GroupKind::cp: return p_.cp_group.ranks;
    case GroupKind::shard: return p_.shard_group.ranks;
    case GroupKind::embedding: return p_.embedding_group.ranks;
    case GroupKind::world: return p_.world_group.ranks;
  }
  return 1;
}

}  // namespace trainsim
