// Appends instructions to one stage's program (program.hpp), merging
// back-to-back compute of the same kind and accounting the bytes each
// collective sends per GPU. Private to sim/workload.
#pragma once

#include <algorithm>
#include <map>
#include <string>

#include "sim/workload/program.hpp"
#include "sim/workload/step_plan.hpp"

namespace trainsim {

inline SimTime to_sim_time(double s) { return SimTime::from_seconds(std::max(0.0, s)); }

// Emits one stage's instructions; the pass-level logic is in program_builder.cpp.
class Emitter {
 public:
  explicit Emitter(const StepPlan& p, int stage) : p_(p) { prog_.stage = stage; }

  int label(const std::string& name) {
    auto [it, added] = labels_.emplace(name, static_cast<int>(prog_.labels.size()));
    if (added) prog_.labels.push_back(name);
    return it->second;
  }
  void compute(double seconds, Category c, int lbl) {
    if (seconds <= 0) return;
    if (!prog_.instrs.empty()) {
      Instr& last = prog_.instrs.back();
      if (last.kind == InstrKind::compute && last.category == c && last.label == lbl) {
        last.duration = last.duration + to_sim_time(seconds);
        return;
      }
    }
    Instr i;
    i.category = c;
    i.duration = to_sim_time(seconds);
    i.label = lbl;
    prog_.instrs.push_back(i);
  }
  // A collective on the compute stream's critical path (`exposed` seconds of it).
  void blocking(GroupKind g, CollectiveOp op, double bytes, double exposed, Lane lane, Category c, int lbl) {
    if (group_size(g) <= 1) return;
    collective(InstrKind::collective, g, op, bytes, exposed, lane, c, lbl);
  }
  // Queues a collective on the DP lane; returns how many launches precede and include it.
  int launch(GroupKind g, CollectiveOp op, double bytes, double seconds, int lbl) {
    if (group_size(g) <= 1 || bytes <= 0) return launches_;
    collective(InstrKind::launch, g, op, bytes, seconds, Lane::dp_comm, Category::dp, lbl);
    return ++launches_;
  }
  void wait_dp(int count) {
    if (count <= 0) return;
    Instr i;
    i.kind = InstrKind::wait_lane;
    i.category = Category::dp;
    i.lane = Lane::dp_comm;
    i.count = count;
    prog_.instrs.push_back(i);
  }
  void send(int peer_stage, int message, double bytes, double seconds, int lbl) {
    prog_.comm_bytes["pp.send_recv"] += bytes;
    Instr i;
    i.kind = InstrKind::send;
    i.category = Category::pp;
    i.lane = Lane::pp_p2p;
    i.peer_stage = peer_stage;
    i.message = message;
    i.bytes = bytes;
    i.duration = to_sim_time(seconds);
    i.label = lbl;
    prog_.instrs.push_back(i);
  }
  void recv(int message) {
    Instr i;
    i.kind = InstrKind::recv;
    i.category = Category::pp;
    i.message = message;
    prog_.instrs.push_back(i);
  }
  void memory(bool alloc, MemKind kind, double bytes) {
    if (bytes <= 0) return;
    Instr i;
    i.kind = alloc ? InstrKind::alloc : InstrKind::free;
    i.memory = kind;
    i.bytes = bytes;
    prog_.instrs.push_back(i);
  }
  int launches() const { return launches_; }
  StageProgram& program() { return prog_; }

 private:
  void collective(InstrKind kind, GroupKind g, CollectiveOp op, double bytes, double seconds, Lane lane, Category c,
                  int lbl) {
    account(g, op, bytes);
    Instr i;
    i.kind = kind;
    i.category = c;
    i.lane = lane;
    i.group = g;
    i.op = op;
    i.bytes = bytes;
    i.duration = to_sim_time(seconds);
    i.label = lbl;
    prog_.instrs.push_back(i);
  }
  int group_size(GroupKind g) const {
    switch (g) {
      case GroupKind::tp: return p_.tp_group.ranks;
      case GroupKind::cp: return p_.cp_group.ranks;
      case GroupKind::dp:
      case GroupKind::shard: return p_.shard_group.ranks;
      case GroupKind::embedding: return 2;
      case GroupKind::world: return p_.layout.world();
    }
    return 1;
  }
  void account(GroupKind g, CollectiveOp op, double bytes) {
    prog_.comm_bytes[std::string(to_string(g)) + "." + to_string(op)] += bytes_sent_per_gpu(op, bytes, group_size(g));
  }

  const StepPlan& p_;
  StageProgram prog_;
  std::map<std::string, int> labels_;
  int launches_ = 0;
};

}  // namespace trainsim
