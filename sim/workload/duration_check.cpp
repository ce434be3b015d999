#include "sim/workload/duration_check.hpp"

#include <algorithm>
#include <cmath>

#include "sim/core/format.hpp"
#include "sim/core/sim_error.hpp"

namespace trainsim {
namespace {

// What a piece of work is, and the scenario key (with the card keys behind
// it) that most likely made it long.
struct Culprit {
  std::string what;
  std::string key;
  std::string check;
};

Culprit culprit(const Instr& i) {
  switch (i.kind) {
    case InstrKind::compute:
      if (i.host)
        return {"the CPU-Adam step", "offload.cpu_adam_throughput",
                "offload.cpu_adam_throughput (or the cluster card's node.cpu_adam_throughput)"};
      return {std::string("the ") + to_string(i.category) + " compute", "training.seq_len",
              "training.seq_len, training.micro_batch, training.flash_attention and the GPU card's peak rates"};
    case InstrKind::collective:
    case InstrKind::launch:
      return {std::string("the ") + to_string(i.group) + " " + to_string(i.op), "cluster",
              "the cluster card's link bandwidths (node.nics.bandwidth, node.nvswitch.bandwidth, node.pcie.bandwidth)"};
    case InstrKind::send:
      return {"the pipeline send", "cluster", "the cluster card's node.nics.bandwidth and node.nvswitch.bandwidth"};
    case InstrKind::copy:
      if (i.copy == CopyKind::nvme_read || i.copy == CopyKind::nvme_write)
        return {i.copy == CopyKind::nvme_read ? "the NVMe read" : "the NVMe write", "cluster",
                "the cluster card's node.nvme_read / node.nvme_write and offload.aio_block_size, aio_queue_depth, "
                "aio_thread_count"};
      return {i.copy == CopyKind::d2h ? "the device-to-host copy" : "the host-to-device copy", "cluster",
              "the cluster card's node.pcie.bandwidth, node.pcie.pinned_efficiency and node.pcie.pageable_factor"};
    default: return {"the step", "training.global_batch", "training.global_batch"};
  }
}

[[noreturn]] void throw_out_of_range(const Instr& i, const std::string& label, double seconds, const char* scope) {
  const Culprit c = culprit(i);
  throw DurationOutOfRange(c.what + (label.empty() ? "" : " '" + label + "'") + scope + " would take " +
                               general(seconds, 3) + " s, past the simulated clock's range of " +
                               general(clock_range_seconds(), 3) + " s (about 106 days); check " + c.check,
                           c.key);
}

}  // namespace

double clock_range_seconds() { return SimTime::max().to_seconds(); }

SimTime checked_work_time(const Instr& i, Seconds seconds, const std::string& label, SimTime already) {
  const double s = std::max(0.0, seconds.value());
  const double total = already.to_seconds() + s;
  if (!(total < clock_range_seconds())) throw_out_of_range(i, label, seconds.value(), "");
  try {
    return already + SimTime::from_seconds(s);
  } catch (const SimTimeError&) {  // rounding at the very edge of the range
    throw_out_of_range(i, label, total, "");
  }
}

double total_work_seconds(const std::vector<StageProgram>& programs) {
  double sum = 0;
  for (const StageProgram& p : programs)
    for (const Instr& i : p.instrs) sum += i.duration.to_seconds();
  return sum;
}

void throw_step_out_of_range(const std::vector<StageProgram>& programs) {
  const Instr* longest = nullptr;
  const StageProgram* in = nullptr;
  for (const StageProgram& p : programs)
    for (const Instr& i : p.instrs)
      if (longest == nullptr || i.duration > longest->duration) {
        longest = &i;
        in = &p;
      }
  if (longest == nullptr)
    throw DurationOutOfRange("the step would outlast the simulated clock", "training.global_batch");
  const std::string label = in->labels.empty() ? "" : in->labels[static_cast<size_t>(longest->label)].name;
  const Culprit c = culprit(*longest);
  throw DurationOutOfRange("the step would last longer than the simulated clock's range of " +
                               general(clock_range_seconds(), 3) + " s (about 106 days); its longest piece of work, " +
                               c.what + (label.empty() ? "" : " '" + label + "'") + ", takes " +
                               general(longest->duration.to_seconds(), 3) + " s; check " + c.check,
                           c.key);
}

}  // namespace trainsim
