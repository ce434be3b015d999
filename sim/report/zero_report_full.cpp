// `explain zero` beyond the paper's table: conventions side by side, fits
// verdicts, traffic per micro-batch and per step, DeepSpeed's offload estimates.
#include <sstream>
#include <string>
#include <vector>

#include "sim/core/format.hpp"
#include "sim/report/report_format.hpp"
#include "sim/report/zero_report.hpp"

namespace trainsim {
namespace {

using Rows = std::vector<std::vector<std::string>>;

std::string gb(Bytes b) {
  const double v = b.value() / kGB;
  if (v == 0.0) return "0";
  return v >= 1.0 ? fixed(v, 2) : general(v, 3);
}

std::vector<ZeroConvention> shown(const ZeroRenderOptions& o) {
  if (!o.conventions.empty()) return o.conventions;
  return {ZeroConvention::paper, ZeroConvention::deepspeed, ZeroConvention::megatron, ZeroConvention::textbook};
}

bool fits(Bytes need, Bytes capacity) { return need.value() <= capacity.value(); }

// Model states plus the asked activations (0 when none were asked).
bool fits_gpu(Bytes states, const ZeroRenderOptions& o) { return fits(states + o.activations, o.hbm); }

std::string yes_no(bool b) { return b ? "yes" : "no"; }

Rows stage_rows(const ZeroExplanation& e, const ZeroRenderOptions& o, int gpus) {
  const std::vector<ZeroConvention> conv = shown(o);
  std::vector<std::string> head = {"stage"};
  for (ZeroConvention c : conv) head.push_back(std::string(zero_convention_name(c)) + " [GB/GPU]");
  if (o.hbm.value() > 0) {
    std::string fit = "fits " + gb(o.hbm) + " GB (";
    for (size_t i = 0; i < conv.size(); ++i) fit += (i ? "/" : "") + std::string(zero_convention_name(conv[i]));
    head.push_back(fit + ")");
  }
  for (const char* h :
       {"all-reduce [GB/mb]", "reduce-scatter [GB/mb]", "all-gather [GB/mb]", "per micro-batch [GB]", "per step [GB]"})
    head.push_back(h);
  Rows rows = {head};
  for (const ZeroExplainRow& r : e.rows) {
    if (r.gpus != gpus) continue;
    std::vector<std::string> row = {std::string(zero_stage_name(r.stage))};
    for (ZeroConvention c : conv) row.push_back(gb(r.by_convention[static_cast<int>(c)]));
    if (o.hbm.value() > 0) {
      std::string v;
      for (size_t i = 0; i < conv.size(); ++i)
        v += (i ? "/" : "") + yes_no(fits_gpu(r.by_convention[static_cast<int>(conv[i])], o));
      row.push_back(v);
    }
    const ZeroCommBytes& c = r.comm_bytes_per_gpu;
    for (Bytes b : {c.all_reduce, c.reduce_scatter, c.all_gather, r.per_micro_batch.total(), r.per_step.total()})
      row.push_back(gb(b));
    rows.push_back(row);
  }
  return rows;
}

Rows offload_rows(const ZeroExplanation& e, const ZeroRenderOptions& o, int gpus) {
  std::vector<std::string> head = {"offloaded to CPU", "GPU [GB/GPU]", "host [GB/node]"};
  if (o.hbm.value() > 0) head.push_back("fits " + gb(o.hbm) + " GB HBM");
  if (o.host_per_node.value() > 0) head.push_back("fits " + gb(o.host_per_node) + " GB host");
  Rows rows = {head};
  for (const ZeroOffloadRow& r : e.offload) {
    if (r.gpus != gpus) continue;
    std::string what =
        std::string(zero_stage_name(r.stage)) + (r.params_offloaded ? ": optimizer + params" : ": optimizer");
    std::vector<std::string> row = {what, gb(r.estimate.gpu_per_gpu), gb(r.estimate.cpu_per_node)};
    if (o.hbm.value() > 0) row.push_back(yes_no(fits_gpu(r.estimate.gpu_per_gpu, o)));
    if (o.host_per_node.value() > 0) row.push_back(yes_no(fits(r.estimate.cpu_per_node, o.host_per_node)));
    rows.push_back(row);
  }
  return rows;
}

// The lowest stage whose model states fit the HBM under convention c at `gpus`, or -1.
int first_fitting(const ZeroExplanation& e, Bytes hbm, Bytes act, ZeroConvention c, int gpus) {
  for (const ZeroExplainRow& r : e.rows)
    if (r.gpus == gpus && fits(r.by_convention[static_cast<int>(c)] + act, hbm)) return r.stage;
  return -1;
}

std::string verdict(const ZeroExplanation& e, const ZeroRenderOptions& o, int gpus) {
  if (o.hbm.value() <= 0) return "";
  std::ostringstream os;
  for (ZeroConvention c : shown(o)) {
    const int s = first_fitting(e, o.hbm, o.activations, c, gpus);
    os << "  " << zero_convention_name(c) << ": "
       << (s < 0 ? "no stage fits without offload" : "lowest stage that fits: " + std::string(zero_stage_name(s)))
       << "\n";
  }
  if (o.activations.value() > 0)
    return "model states + " + gb(o.activations) + " GB of activations (" + o.activations_shape + ") on " + o.card +
           " (buffers and the CUDA context come on top; `trainsim mem`):\n" + os.str();
  return "model states alone on " + o.card +
         " (activations, buffers and the CUDA context come on top; `trainsim mem`):\n" + os.str();
}

const char* kNotes =
    "conventions (model states per parameter, mixed-precision Adam):\n"
    "  paper:     ZeRO Table 1: 2 B 16-bit params + 2 B 16-bit grads + 12 B fp32 master, momentum, variance = 16 B\n"
    "  deepspeed: what `mem` counts for DeepSpeed (framework.name deepspeed or a ds_config): the paper's 16 B plus\n"
    "             DeepSpeed's fp32 gradient partition (ZeRO-1/2: 4/N; ZeRO-3 18/N as estimate_zero3) and, in bf16 at\n"
    "             ZeRO-0/1 without offload, BF16_Optimizer's unsharded fp32 gradient buffer "
    "(sim/memory/model_states.hpp)\n"
    "  megatron:  what `mem` counts for Megatron-LM: 2 B params + 4 B fp32 main grads + 12 B = 18 B; ZeRO-1 is the\n"
    "             distributed optimizer (12/N), ZeRO-2 also shards the grads, ZeRO-3 the params\n"
    "  textbook:  14 B = 4 B fp32 weights + 2 B 16-bit grads + 8 B Adam moments, with no separate 16-bit weight copy\n"
    "             (ZeRO-1 keeps 6 B whole, ZeRO-2 4 B, ZeRO-3 none). Online calculators that print 980 / 490 / 367 /\n"
    "             122 GB for \"70B on 8 GPUs\" use it with a nominal 70e9 parameters (--params 70B); ZeRO's\n"
    "             Table 1 counts the 16-bit weights beside the fp32 master (16 B, not 14), and a real model has its\n"
    "             own count (--model gives it)\n"
    "communication: bytes each GPU sends, ring collectives, 2-byte elements; [GB/mb] = per micro-batch of the paper's\n"
    "  one-micro-batch step; per step with the accumulation given: DP and ZeRO-1 reduce once at the boundary, ZeRO-2\n"
    "  reduce-scatters every micro-batch, ZeRO-3 also gathers the parameters in every forward and backward\n"
    "offload: DeepSpeed's estimate_zero2/3_model_states_mem_needs (zero.Init, 1.5x host buffer factor), model states\n"
    "  only; NVMe offload has no DeepSpeed estimate (run `trainsim mem` with offload.optimizer: nvme)\n"
    "GB = 1e9 bytes\n";

}  // namespace

std::string render_zero_table(const ZeroExplanation& e, const ZeroRenderOptions& o) {
  std::ostringstream os;
  os << "ZeRO model states and communication per GPU for " << e.params << " parameters";
  if (e.largest_layer_params > 0) os << " (largest layer " << e.largest_layer_params << ")";
  os << ", " << e.grad_accum << " micro-batch" << (e.grad_accum == 1 ? "" : "es") << " per step\n";
  if (o.activations.value() > 0)
    os << "activations per GPU [GB]: " << gb(o.activations) << " (" << o.activations_shape
       << "; one micro-batch in flight, no tensor or pipeline parallelism), added to each row's fits verdict\n";
  std::vector<int> done;
  for (const ZeroExplainRow& r : e.rows) {
    if (r.stage != 0) continue;
    os << "\n" << r.gpus << (r.gpus == 1 ? " GPU\n" : " GPUs\n") << render_text_table(stage_rows(e, o, r.gpus));
    os << "\n" << render_text_table(offload_rows(e, o, r.gpus)) << verdict(e, o, r.gpus);
  }
  os << "\n" << kNotes;
  return os.str();
}

nlohmann::json zero_to_json(const ZeroExplanation& e, const ZeroRenderOptions& o) {
  nlohmann::json j = zero_to_json(e);
  auto comm = [](const ZeroCommBytes& c) {
    return nlohmann::json{{"all_reduce", c.all_reduce.value()},
                          {"reduce_scatter", c.reduce_scatter.value()},
                          {"all_gather", c.all_gather.value()},
                          {"total", c.total().value()}};
  };
  for (size_t i = 0; i < e.rows.size(); ++i) {
    const ZeroExplainRow& r = e.rows[i];
    nlohmann::json& row = j["rows"][i];
    for (int c = 0; c < kZeroConventionCount; ++c) {
      const std::string name(zero_convention_name(static_cast<ZeroConvention>(c)));
      row["model_state_bytes_per_gpu_by_convention"][name] = r.by_convention[c].value();
      if (o.hbm.value() > 0) row["fits"][name] = fits_gpu(r.by_convention[c], o);
    }
    row["comm_bytes_per_gpu_per_micro_batch"] = comm(r.per_micro_batch);
    row["comm_bytes_per_gpu_per_step"] = comm(r.per_step);
  }
  nlohmann::json off = nlohmann::json::array();
  for (const ZeroOffloadRow& r : e.offload) {
    nlohmann::json row = {{"gpus", r.gpus},
                          {"stage", r.stage},
                          {"optimizer", "cpu"},
                          {"params", r.params_offloaded ? "cpu" : "none"},
                          {"gpu_bytes_per_gpu", r.estimate.gpu_per_gpu.value()},
                          {"host_bytes_per_node", r.estimate.cpu_per_node.value()}};
    if (o.hbm.value() > 0) row["gpu_fits"] = fits_gpu(r.estimate.gpu_per_gpu, o);
    if (o.host_per_node.value() > 0) row["host_fits"] = fits(r.estimate.cpu_per_node, o.host_per_node);
    off.push_back(row);
  }
  j["offload"] = off;
  j["grad_accum"] = e.grad_accum;
  j["largest_layer_params"] = e.largest_layer_params;
  j["gpus_per_node"] = e.gpus_per_node;
  nlohmann::json conv = nlohmann::json::array();
  for (ZeroConvention c : shown(o)) conv.push_back(std::string(zero_convention_name(c)));
  j["conventions"] = conv;
  if (o.hbm.value() > 0) j["gpu_memory_bytes"] = o.hbm.value();
  if (o.host_per_node.value() > 0) j["host_memory_bytes_per_node"] = o.host_per_node.value();
  if (o.activations.value() > 0) j["activation_bytes_per_gpu"] = o.activations.value();
  return j;
}

}  // namespace trainsim
