#include "sim/workload/emitter.hpp"

#include <algorithm>

#include "sim/core/format.hpp"
#include "sim/workload/duration_check.hpp"

namespace trainsim {
namespace {

// "1.7 GB", "512 KB": decimal units, three significant digits.
std::string size_text(Bytes b) {
  double v = b.value();
  const char* unit = "B";
  for (const char* u : {"KB", "MB", "GB", "TB"}) {
    if (v < 1000) break;
    v /= 1000;
    unit = u;
  }
  return general(v, 3) + " " + unit;
}

// How a compute part's name ends: "L12 attn" + " fwd".
const char* verb(Category c) {
  switch (c) {
    case Category::forward: return "fwd";
    case Category::backward: return "bwd";
    case Category::recompute: return "recompute";
    case Category::optimizer: return "step";
    case Category::pp: return "send";  // a blocking pipeline send on the compute stream
    default: return to_string(c);
  }
}

}  // namespace

Emitter::Emitter(const StepPlan& p, int stage, CommCost* detail) : p_(p), detail_(detail) { prog_.stage = stage; }

int Emitter::label(const std::string& name, int micro_batch, int chunk) { return label(name, micro_batch, chunk, ""); }

int Emitter::label(const std::string& name, int micro_batch, int chunk, const std::string& pass) {
  auto [it, added] =
      labels_.emplace(std::make_tuple(name, micro_batch, chunk, pass), static_cast<int>(prog_.labels.size()));
  if (added) {
    SpanLabel& l = prog_.labels.emplace_back();
    l.name = name;
    l.micro_batch = micro_batch;
    l.chunk = chunk;
    l.pass = pass;
  }
  return it->second;
}

int Emitter::part_label(Category c, int lbl) {
  const SpanLabel base = prog_.labels[lbl];
  if (ctx_.empty()) return lbl;
  return label(ctx_ + " " + verb(c), base.micro_batch, base.chunk, base.micro_batch >= 0 ? base.name : "");
}

int Emitter::collective_label(InstrKind kind, GroupKind g, CollectiveOp op, Bytes bytes, int lbl) {
  const SpanLabel base = prog_.labels[lbl];
  const std::string& what = kind == InstrKind::launch ? launch_ctx_ : ctx_;
  const std::string algo = detail_->algorithm(op, bytes, placement(g));
  std::string name = std::string(to_string(op)) + " " + (what.empty() ? base.name : what) + " " + size_text(bytes);
  if (!algo.empty()) name += " " + algo;
  const int l = label(name, base.micro_batch, base.chunk, base.micro_batch >= 0 ? base.name : "");
  prog_.labels[l].algorithm = algo;
  return l;
}

Instr& Emitter::push(InstrKind kind, Category c, Lane lane, Bytes bytes, int lbl) {
  if (budget_ != nullptr) budget_->charge();
  Instr& i = prog_.instrs.emplace_back();
  i.kind = kind;
  i.category = c;
  i.lane = lane;
  i.bytes = bytes;
  i.label = lbl;
  return i;
}

SimTime Emitter::time_of(const Instr& i, Seconds seconds, SimTime already) const {
  return checked_work_time(i, seconds, prog_.labels.empty() ? "" : prog_.labels[static_cast<size_t>(i.label)].name,
                           already);
}

void Emitter::compute(Seconds seconds, Category c, int lbl, bool host, double flops) {
  if (seconds.value() <= 0) return;
  Instr* last = prog_.instrs.empty() ? nullptr : &prog_.instrs.back();
  if (last != nullptr &&
      !(last->kind == InstrKind::compute && last->category == c && last->label == lbl && last->host == host))
    last = nullptr;  // no merge
  const bool parts = detail_ && !host;
  if (last != nullptr) last->duration = time_of(*last, seconds, last->duration);  // checked before parts grow
  if (parts) {  // more of the merged instruction's last part, or a new part
    const int part = part_label(c, lbl);
    const SimTime t = SimTime::from_seconds(std::max(0.0, seconds.value()));  // within range: checked above or below
    if (last != nullptr && last->part_end > last->part_begin && prog_.parts.back().label == part) {
      prog_.parts.back().duration += t;
      prog_.parts.back().flops += flops;
    } else {
      prog_.parts.push_back({part, t, flops});
    }
  }
  if (last != nullptr) {
    if (parts) last->part_end = static_cast<int>(prog_.parts.size());
    return;
  }
  Instr& i = push(InstrKind::compute, c, Lane::compute, Bytes(0), lbl);
  i.host = host;
  i.duration = time_of(i, seconds);
  if (parts) {
    i.part_end = static_cast<int>(prog_.parts.size());
    i.part_begin = i.part_end - 1;
  }
}

void Emitter::moe_collectives(const std::vector<StepPlan::MoeCollective>& cs, int lbl) {
  for (const StepPlan::MoeCollective& c : cs)
    blocking(c.group, c.op, c.bytes, c.seconds, Lane::tp_comm, Category::tp, lbl);
}

void Emitter::blocking(GroupKind g, CollectiveOp op, Bytes bytes, Seconds exposed, Lane lane, Category c, int lbl) {
  if (group_size(g) <= 1) return;
  collective(InstrKind::collective, g, op, bytes, exposed, lane, c, lbl);
}

int Emitter::launch(GroupKind g, CollectiveOp op, Bytes bytes, Seconds seconds, int lbl) {
  if (group_size(g) <= 1 || bytes.value() <= 0) {
    after_ = 0;  // a dependency of a collective that does not run is the caller's to wait for
    launch_ctx_.clear();
    return launches_;
  }
  collective(InstrKind::launch, g, op, bytes, seconds, Lane::dp_comm, Category::dp, lbl);
  launch_ctx_.clear();
  return ++launches_;
}

void Emitter::wait(Lane lane, int count) {
  if (count <= 0) return;
  const Category c = lane == Lane::dp_comm ? Category::dp : Category::offload;
  push(InstrKind::wait_lane, c, lane, Bytes(0), 0).count = count;
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
  Instr& i = push(InstrKind::copy, Category::offload, disk ? Lane::nvme : Lane::pcie, bytes, lbl);
  i.copy = kind;
  i.duration = time_of(i, seconds);
  i.after_lane = after_lane_;
  i.after = after_;
  after_ = 0;
  return ++n;
}

void Emitter::send(int peer_stage, int message, Bytes bytes, Seconds seconds, int lbl) {
  prog_.comm_bytes["pp.send_recv"] += bytes;
  Instr& i = push(InstrKind::send, Category::pp, Lane::pp_p2p, bytes, lbl);
  i.duration = time_of(i, seconds);
  i.peer_stage = peer_stage;
  i.message = message;
}

void Emitter::recv(int message) { push(InstrKind::recv, Category::pp, Lane::compute, Bytes(0), 0).message = message; }

void Emitter::memory(bool alloc, MemKind kind, Bytes bytes) {
  if (bytes.value() <= 0) return;
  const InstrKind k = alloc ? InstrKind::alloc : InstrKind::free;
  push(k, Category::forward, Lane::compute, bytes, 0).memory = kind;
}

void Emitter::collective(InstrKind kind, GroupKind g, CollectiveOp op, Bytes bytes, Seconds seconds, Lane lane,
                         Category c, int lbl) {
  prog_.comm_bytes[std::string(to_string(g)) + "." + to_string(op)] += bytes_sent_per_gpu(op, bytes, group_size(g));
  Instr& i = push(kind, c, lane, bytes, detail_ ? collective_label(kind, g, op, bytes, lbl) : lbl);
  i.group = g;
  i.op = op;
  i.duration = time_of(i, seconds);
  if (kind == InstrKind::launch) {
    i.after_lane = after_lane_;
    i.after = after_;
    after_ = 0;
  }
}

int Emitter::group_size(GroupKind g) const { return placement(g).ranks; }

const GroupPlacement& Emitter::placement(GroupKind g) const {
  switch (g) {
    case GroupKind::tp: return p_.tp_group;
    case GroupKind::cp: return p_.cp_group;
    case GroupKind::shard: return p_.shard_group;
    case GroupKind::embedding: return p_.embedding_group;
    case GroupKind::world: return p_.world_group;
    case GroupKind::replicate: return p_.replicate_group;
    case GroupKind::reshard: return p_.reshard_group;
    case GroupKind::amax: return p_.amax_group;
    case GroupKind::ep: return p_.ep_group;
    case GroupKind::etp: return p_.etp_group;
    case GroupKind::ep_tp: return p_.ep_tp_group;
    case GroupKind::expert_dp: return p_.expert_dp_group;
  }
  return p_.world_group;
}

}  // namespace trainsim
