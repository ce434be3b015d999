// `trainsim explain zero (--model M | --params 7.5B) [--gpus 1,4,16,...] [--json]
//   [--convention paper|deepspeed|megatron|textbook|all] [--gpu CARD | --cluster CARD]
//   [--grad-accum K] [--precision bf16|fp16]`:
// model-state memory by stage in each accounting, a fits verdict against a card,
// DeepSpeed's offload estimates and communication per micro-batch and per step.
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "sim/frontend/zero_request.hpp"
#include "sim/report/zero_report.hpp"

namespace trainsim::cli {
namespace {

void run_explain_zero(const ZeroRequest& a, bool json) {
  // The library refuses these too (ConfigError, for the Python package); here in the command's own words.
  if (a.model.empty() == a.params.empty())
    throw UsageError(
        "`trainsim explain zero` needs exactly one of --model NAME|PATH or --params COUNT "
        "(e.g. --model llama-2-7b or --params 7.5B)");
  if (!a.gpu.empty() && !a.cluster.empty())
    throw UsageError("`trainsim explain zero` takes --gpu CARD or --cluster CARD, not both");
  if (a.model.empty() && a.seq_len > 0)
    throw UsageError("--seq-len needs --model (the activations need the model's dimensions)");
  const ZeroAnswer z = explain_zero_request(a, default_zoo());
  if (json)
    std::cout << json_text(zero_to_json(z.explanation, z.render)) << "\n";
  else
    std::cout << render_zero_table(z.explanation, z.render);
}

}  // namespace

void add_explain_command(CLI::App& app) {
  CLI::App* explain = app.add_subcommand(
      "explain", "explain a technique with numbers: `trainsim explain zero`, `trainsim explain moe`");
  explain->require_subcommand(1);
  CLI::App* zero = explain->add_subcommand(
      "zero", "ZeRO model-state memory and per-step communication per GPU, stage by stage (ZeRO paper §5, §7)");
  auto args = std::make_shared<ZeroRequest>();
  auto json = std::make_shared<bool>(false);
  zero->add_option("--model", args->model, "a model in models/ or a path to a model card / HF config.json");
  zero->add_option("--params", args->params, "parameter count instead of a model, e.g. 7.5B, 175B, 1T");
  zero->add_option("--gpus", args->gpus, "comma-separated data-parallel GPU counts")->capture_default_str();
  zero->add_flag("--json", *json, "print one JSON document on stdout instead of the table");
  zero->add_option("--convention", args->convention,
                   "model-state accounting shown: paper (ZeRO Table 1), deepspeed, megatron (as `mem` counts), "
                   "textbook (14 B/param), all")
      ->capture_default_str();
  zero->add_option("--gpu", args->gpu, "a GPU card (topologies/gpus/): fits verdict per row against its HBM");
  zero->add_option("--cluster", args->cluster,
                   "a cluster card: its GPU's HBM, GPUs per node and host memory per node (offload rows)");
  zero->add_option("--grad-accum", args->grad_accum, "micro-batches per step, for the per-step communication")
      ->capture_default_str();
  zero->add_option("--precision", args->precision, "bf16 or fp16, for the deepspeed and megatron columns")
      ->capture_default_str();
  zero->add_option("--seq-len", args->seq_len,
                   "with --model: add one micro-batch's activations (FlashAttention, no TP/PP) to the fits verdicts");
  zero->add_option("--micro-batch", args->micro_batch, "sequences per micro-batch for --seq-len")
      ->capture_default_str();
  zero->add_option("--recompute", args->recompute, "none, selective or full, for --seq-len")->capture_default_str();
  zero->callback([args, json] { run_explain_zero(*args, *json); });
  add_explain_moe_command(*explain);
}

}  // namespace trainsim::cli
