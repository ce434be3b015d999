// One {name, value} table per enum, as the names are written in YAML and
// reports. to_string(), the key tables' `choices` (sim/config/keys_*.cpp) and
// the loaders (sim/load/) all read these tables, so a name is spelled once.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/spec/cluster_spec.hpp"
#include "sim/spec/finetune.hpp"
#include "sim/spec/gpu_spec.hpp"
#include "sim/spec/model_spec.hpp"
#include "sim/spec/nccl_algo.hpp"
#include "sim/spec/scenario.hpp"

namespace trainsim {

template <class E>
struct EnumName {
  const char* name;
  E value;
};

// EnumTable<E>::names: every value of E with its name, in the order the key
// table lists the choices. Specialised once per enum below.
template <class E>
struct EnumTable;

#define TRAINSIM_ENUM_TABLE(E, N, ...)                                \
  template <>                                                         \
  struct EnumTable<E> {                                               \
    static constexpr std::array<EnumName<E>, N> names{{__VA_ARGS__}}; \
  }

TRAINSIM_ENUM_TABLE(MlpKind, 3, {"gelu", MlpKind::gelu}, {"relu", MlpKind::relu}, {"swiglu", MlpKind::swiglu});
TRAINSIM_ENUM_TABLE(PositionKind, 3, {"learned", PositionKind::learned}, {"rope", PositionKind::rope},
                    {"alibi", PositionKind::alibi});
TRAINSIM_ENUM_TABLE(NormKind, 2, {"layernorm", NormKind::layernorm}, {"rmsnorm", NormKind::rmsnorm});
TRAINSIM_ENUM_TABLE(RouterScore, 2, {"softmax", RouterScore::softmax}, {"sigmoid", RouterScore::sigmoid});
TRAINSIM_ENUM_TABLE(Precision, 5, {"fp32", Precision::fp32}, {"fp16", Precision::fp16}, {"bf16", Precision::bf16},
                    {"fp8", Precision::fp8}, {"fp4", Precision::fp4});
TRAINSIM_ENUM_TABLE(FabricKind, 3, {"rail_optimized", FabricKind::rail_optimized}, {"fat_tree", FabricKind::fat_tree},
                    {"roce_clos", FabricKind::roce_clos});
TRAINSIM_ENUM_TABLE(NetTransport, 2, {"ib", NetTransport::ib}, {"socket", NetTransport::socket});
TRAINSIM_ENUM_TABLE(Schedule, 3, {"gpipe", Schedule::gpipe}, {"1f1b", Schedule::one_f_one_b},
                    {"interleaved-1f1b", Schedule::interleaved_1f1b});
TRAINSIM_ENUM_TABLE(PipelineEngine, 2, {"megatron", PipelineEngine::megatron},
                    {"deepspeed", PipelineEngine::deepspeed});
TRAINSIM_ENUM_TABLE(MoeDispatcher, 2, {"alltoall", MoeDispatcher::alltoall}, {"allgather", MoeDispatcher::allgather});
TRAINSIM_ENUM_TABLE(Recompute, 3, {"none", Recompute::none}, {"selective", Recompute::selective},
                    {"full", Recompute::full});
TRAINSIM_ENUM_TABLE(RecomputeMethod, 2, {"uniform", RecomputeMethod::uniform}, {"block", RecomputeMethod::block});
TRAINSIM_ENUM_TABLE(Fp8Recipe, 5, {"delayed", Fp8Recipe::delayed}, {"tensorwise", Fp8Recipe::tensorwise},
                    {"rowwise", Fp8Recipe::rowwise}, {"blockwise", Fp8Recipe::blockwise}, {"mxfp8", Fp8Recipe::mxfp8});
TRAINSIM_ENUM_TABLE(Peft, 2, {"none", Peft::none}, {"lora", Peft::lora});
TRAINSIM_ENUM_TABLE(CudaGraphScope, 4, {"full", CudaGraphScope::full}, {"attn", CudaGraphScope::attn},
                    {"mlp", CudaGraphScope::mlp}, {"full_iteration", CudaGraphScope::full_iteration});
TRAINSIM_ENUM_TABLE(OptimizerKind, 2, {"adam", OptimizerKind::adam}, {"sgd", OptimizerKind::sgd});
TRAINSIM_ENUM_TABLE(OffloadDevice, 3, {"none", OffloadDevice::none}, {"cpu", OffloadDevice::cpu},
                    {"nvme", OffloadDevice::nvme});
TRAINSIM_ENUM_TABLE(MemoryConvention, 3, {"megatron", MemoryConvention::megatron},
                    {"deepspeed", MemoryConvention::deepspeed}, {"fsdp", MemoryConvention::fsdp});
TRAINSIM_ENUM_TABLE(ConventionSource, 4, {"key", ConventionSource::key}, {"framework", ConventionSource::framework},
                    {"ds_config", ConventionSource::ds_config}, {"default", ConventionSource::default_value});
TRAINSIM_ENUM_TABLE(Framework, 9, {"megatron-lm", Framework::megatron_lm}, {"megatron-core", Framework::megatron_core},
                    {"megatron-deepspeed", Framework::megatron_deepspeed}, {"deepspeed", Framework::deepspeed},
                    {"torchtitan", Framework::torchtitan}, {"megatron-fsdp", Framework::megatron_fsdp},
                    {"nemo", Framework::nemo}, {"megatron-bridge", Framework::megatron_bridge},
                    {"hf-trainer", Framework::hf_trainer});
// nvls_tree is NCCL's own pick only; network.algorithm does not offer it (forcible_algorithms()).
TRAINSIM_ENUM_TABLE(NcclAlgo, 5, {"ring", NcclAlgo::ring}, {"tree", NcclAlgo::tree}, {"nvls", NcclAlgo::nvls},
                    {"nvls_tree", NcclAlgo::nvls_tree}, {"hierarchical", NcclAlgo::hierarchical});
TRAINSIM_ENUM_TABLE(NcclProto, 3, {"LL", NcclProto::ll}, {"LL128", NcclProto::ll128}, {"Simple", NcclProto::simple});

#undef TRAINSIM_ENUM_TABLE

// The name of `v` ("?" for a value outside the table).
template <class E>
constexpr const char* enum_name(E v) {
  for (const auto& n : EnumTable<E>::names)
    if (n.value == v) return n.name;
  return "?";
}

// The value named `name`, or nothing.
template <class E>
constexpr std::optional<E> enum_value(std::string_view name) {
  for (const auto& n : EnumTable<E>::names)
    if (name == n.name) return n.value;
  return std::nullopt;
}

// Every name of E in table order, optionally after `first` (e.g. "auto").
template <class E>
std::vector<std::string> enum_names(std::initializer_list<const char*> first = {}) {
  std::vector<std::string> out(first.begin(), first.end());
  for (const auto& n : EnumTable<E>::names) out.emplace_back(n.name);
  return out;
}

// The algorithms network.algorithm may force: every NcclAlgo but nvls_tree,
// which NCCL only picks itself.
std::vector<std::string> forcible_algorithms();

}  // namespace trainsim
