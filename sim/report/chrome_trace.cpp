#include "sim/report/chrome_trace.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/report/report_format.hpp"

namespace trainsim {
namespace {

// A timed event before it is turned into JSON: what to sort on and where it comes from.
enum class Kind : int { counter, span, flow_start, flow_end };

struct Ref {
  int pid = 0;
  double ts_us = 0;
  int tid = -1;  // -1 for counters (process-wide)
  Kind kind = Kind::span;
  size_t index = 0;  // into spans / flows / memory_samples
  auto key() const { return std::make_tuple(pid, ts_us, tid, static_cast<int>(kind), index); }
};

constexpr double kUsPerS = 1e6;
constexpr double kPsPerUs = 1e6;

// Seconds to microseconds, rounded to the picosecond (SimTime's resolution),
// so that the text carries no floating-point noise.
double to_us(Seconds s) { return std::round(s.value() * kUsPerS * kPsPerUs) / kPsPerUs; }

int tid_of(Lane l) { return static_cast<int>(l); }

// The spans of each (rank, lane) track, by start time.
using Tracks = std::map<std::pair<int, Lane>, std::vector<const TraceSpan*>>;
Tracks span_tracks(const StepResult& r) {
  Tracks t;
  for (const TraceSpan& s : r.spans)
    if (s.end_s > s.start_s) t[{s.rank, s.lane}].push_back(&s);
  for (auto& [key, v] : t)
    std::stable_sort(v.begin(), v.end(),
                     [](const TraceSpan* a, const TraceSpan* b) { return a->start_s < b->start_s; });
  return t;
}

// The middle of a span in microseconds: a flow event there lies strictly
// inside it, so Perfetto binds it to that slice whatever the order of events
// with equal timestamps (its JSON importer binds "s", and "f" with "bp":"e", to
// the slice open on the track at the event, and drops the arrow when none is).
double middle_us(const TraceSpan& s) {
  return std::round((to_us(s.start_s) + to_us(s.end_s)) / 2 * kPsPerUs) / kPsPerUs;
}

// A pipeline send bound to slices: its start in the send's span on the
// sender's pp_p2p track; its end in the first compute span of the receiving
// pass (same micro-batch, same direction F/B) that starts at or after the
// arrival, else the first compute span after it. Nothing when a track has no
// such span (the arrow is left out).
std::optional<std::pair<double, double>> bind_flow(const TraceFlow& f, const Tracks& tracks) {
  const auto src = tracks.find({f.src_rank, Lane::pp_p2p});
  const auto dst = tracks.find({f.dst_rank, Lane::compute});
  if (src == tracks.end() || dst == tracks.end()) return std::nullopt;
  const TraceSpan* send = nullptr;
  for (const TraceSpan* s : src->second)
    if (s->start_s <= f.src_s && f.src_s < s->end_s) send = s;
  if (send == nullptr) return std::nullopt;
  const TraceSpan* any = nullptr;
  for (const TraceSpan* s : dst->second) {
    if (s->start_s < f.dst_s) continue;
    if (any == nullptr) any = s;
    const std::string& a = s->pass.empty() ? s->name : s->pass;
    const std::string& b = send->pass.empty() ? send->name : send->pass;
    if (s->micro_batch == send->micro_batch && !a.empty() && !b.empty() && a.front() == b.front())
      return std::make_pair(middle_us(*send), middle_us(*s));
  }
  if (any == nullptr) return std::nullopt;
  return std::make_pair(middle_us(*send), middle_us(*any));
}

std::vector<Ref> timed_refs(const StepResult& r) {
  std::vector<Ref> refs;
  refs.reserve(r.spans.size() + 2 * r.flows.size() + r.memory_samples.size());
  for (size_t i = 0; i < r.spans.size(); ++i)
    refs.push_back({r.spans[i].rank, to_us(r.spans[i].start_s), tid_of(r.spans[i].lane), Kind::span, i});
  const Tracks tracks = r.flows.empty() ? Tracks{} : span_tracks(r);
  for (size_t i = 0; i < r.flows.size(); ++i) {
    const TraceFlow& f = r.flows[i];
    const auto at = bind_flow(f, tracks);
    if (!at) continue;
    refs.push_back({f.src_rank, at->first, tid_of(Lane::pp_p2p), Kind::flow_start, i});
    refs.push_back({f.dst_rank, at->second, tid_of(Lane::compute), Kind::flow_end, i});
  }
  for (size_t i = 0; i < r.memory_samples.size(); ++i)
    refs.push_back({r.memory_samples[i].rank, to_us(r.memory_samples[i].t_s), -1, Kind::counter, i});
  std::sort(refs.begin(), refs.end(), [](const Ref& a, const Ref& b) { return a.key() < b.key(); });
  return refs;
}

nlohmann::json span_args(const TraceSpan& s) {
  nlohmann::json args = {{"lane", to_string(s.lane)}};
  if (s.micro_batch >= 0) args["micro_batch"] = s.micro_batch;
  if (s.chunk >= 0) args["chunk"] = s.chunk;
  if (s.flops > 0) args["flops"] = s.flops;
  if (s.bytes > 0) args["bytes"] = s.bytes;
  if (!s.algorithm.empty()) args["algorithm"] = s.algorithm;
  if (!s.pass.empty()) args["pass"] = s.pass;
  return args;
}

// Duration of a span in microseconds, rounded to the picosecond.
double span_dur_us(const TraceSpan& s, double ts_us) {
  return std::max(0.0, std::round((to_us(s.end_s) - ts_us) * kPsPerUs) / kPsPerUs);
}

// The "X" event of a span written directly, with the text nlohmann::json::dump
// gives for timed_event (sorted keys): spans are the bulk of a trace, and
// building a JSON object per span costs several times more than writing it.
void write_span(std::ostream& os, const StepResult& r, const Ref& e) {
  const TraceSpan& s = r.spans[e.index];
  os << "{\"args\":{";  // keys in sorted order, as dump() writes them
  if (!s.algorithm.empty()) os << "\"algorithm\":" << nlohmann::json(s.algorithm).dump() << ',';
  if (s.bytes > 0) os << "\"bytes\":" << nlohmann::json(s.bytes).dump() << ',';
  if (s.chunk >= 0) os << "\"chunk\":" << s.chunk << ',';
  if (s.flops > 0) os << "\"flops\":" << nlohmann::json(s.flops).dump() << ',';
  os << "\"lane\":\"" << to_string(s.lane) << '"';
  if (s.micro_batch >= 0) os << ",\"micro_batch\":" << s.micro_batch;
  if (!s.pass.empty()) os << ",\"pass\":" << nlohmann::json(s.pass).dump();
  os << "},\"cat\":" << nlohmann::json(s.category).dump()
     << ",\"dur\":" << nlohmann::json(span_dur_us(s, e.ts_us)).dump() << ",\"name\":" << nlohmann::json(s.name).dump()
     << ",\"ph\":\"X\",\"pid\":" << e.pid << ",\"tid\":" << e.tid << ",\"ts\":" << nlohmann::json(e.ts_us).dump()
     << '}';
}

nlohmann::json timed_event(const StepResult& r, const Ref& e) {
  switch (e.kind) {
    case Kind::span: {
      const TraceSpan& s = r.spans[e.index];
      return {{"ph", "X"},
              {"name", s.name},
              {"cat", s.category},
              {"pid", e.pid},
              {"tid", e.tid},
              {"ts", e.ts_us},
              {"dur", span_dur_us(s, e.ts_us)},
              {"args", span_args(s)}};
    }
    case Kind::counter:
      return {{"ph", "C"},
              {"name", "HBM in use"},
              {"pid", e.pid},
              {"ts", e.ts_us},
              {"args", {{"GiB", r.memory_samples[e.index].bytes.value() / kGiB}}}};
    case Kind::flow_start:
    case Kind::flow_end: {
      const TraceFlow& f = r.flows[e.index];
      nlohmann::json j = {{"ph", e.kind == Kind::flow_start ? "s" : "f"},
                          {"name", f.name.empty() ? "send" : f.name},
                          {"cat", "pp"},
                          {"id", f.id},
                          {"pid", e.pid},
                          {"tid", e.tid},
                          {"ts", e.ts_us}};
      if (e.kind == Kind::flow_end) j["bp"] = "e";
      return j;
    }
  }
  return {};
}

nlohmann::json metadata(const char* name, int pid, int tid, nlohmann::json args) {
  nlohmann::json j = {{"ph", "M"}, {"name", name}, {"pid", pid}, {"args", std::move(args)}};
  if (tid >= 0) j["tid"] = tid;
  return j;
}

std::string process_label(int rank, const GpuStats* g) {
  std::string s = "GPU " + std::to_string(rank);
  return g == nullptr ? s : s + " (" + rank_label(g->node, g->coord) + ")";
}

// Metadata of one process: its name and order, then a name and order per lane it uses.
template <class Emit>
void emit_process_metadata(int pid, const GpuStats* g, const std::set<int>& tids, Emit&& emit) {
  emit(metadata("process_name", pid, -1, {{"name", process_label(pid, g)}}));
  emit(metadata("process_sort_index", pid, -1, {{"sort_index", pid}}));
  for (int tid : tids) {
    emit(metadata("thread_name", pid, tid, {{"name", to_string(static_cast<Lane>(tid))}}));
    emit(metadata("thread_sort_index", pid, tid, {{"sort_index", tid}}));
  }
}

// Calls meta(json) for every metadata event and timed(ref) for every timed
// event of the trace, in the documented order.
template <class Meta, class Timed>
void for_each_event(const StepResult& r, Meta&& meta, Timed&& timed) {
  std::vector<Ref> refs = timed_refs(r);
  std::map<int, const GpuStats*> gpus;  // every process, by pid
  std::map<int, std::set<int>> lanes;   // threads used by each process
  for (const GpuStats& g : r.per_gpu)
    if (g.simulated) gpus[g.rank] = &g;
  for (const Ref& e : refs) {
    gpus.emplace(e.pid, nullptr);
    if (e.tid >= 0) lanes[e.pid].insert(e.tid);
  }
  for (const GpuStats& g : r.per_gpu)
    if (auto it = gpus.find(g.rank); it != gpus.end() && it->second == nullptr) it->second = &g;
  auto next = refs.begin();
  for (const auto& [pid, g] : gpus) {
    emit_process_metadata(pid, g, lanes[pid], meta);
    for (; next != refs.end() && next->pid == pid; ++next) timed(*next);
  }
}

}  // namespace

nlohmann::json chrome_trace(const StepResult& r) {
  nlohmann::json events = nlohmann::json::array();
  for_each_event(
      r, [&](nlohmann::json e) { events.push_back(std::move(e)); },
      [&](const Ref& e) { events.push_back(timed_event(r, e)); });
  return {{"displayTimeUnit", "ms"}, {"traceEvents", std::move(events)}};
}

void write_chrome_trace(const StepResult& r, std::ostream& os) {
  os << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[";
  const char* sep = "\n";
  for_each_event(
      r,
      [&](const nlohmann::json& e) {
        os << sep << e.dump();
        sep = ",\n";
      },
      [&](const Ref& e) {
        os << sep;
        sep = ",\n";
        if (e.kind == Kind::span)
          write_span(os, r, e);
        else
          os << timed_event(r, e).dump();
      });
  os << "\n]}\n";
}

}  // namespace trainsim
