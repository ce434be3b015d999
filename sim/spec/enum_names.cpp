// to_string() of the spec enums: the names of their tables (enum_names.hpp).
#include "sim/spec/enum_names.hpp"

namespace trainsim {

const char* to_string(MlpKind k) { return enum_name(k); }
const char* to_string(RouterScore k) { return enum_name(k); }
const char* to_string(PositionKind k) { return enum_name(k); }
const char* to_string(NormKind k) { return enum_name(k); }
const char* to_string(Precision p) { return enum_name(p); }
const char* to_string(Schedule s) { return enum_name(s); }
const char* to_string(PipelineEngine e) { return enum_name(e); }
const char* to_string(MoeDispatcher d) { return enum_name(d); }
const char* to_string(Recompute r) { return enum_name(r); }
const char* to_string(RecomputeMethod m) { return enum_name(m); }
const char* to_string(Fp8Recipe r) { return enum_name(r); }
const char* to_string(OptimizerKind o) { return enum_name(o); }
const char* to_string(OffloadDevice d) { return enum_name(d); }
const char* to_string(MemoryConvention c) { return enum_name(c); }
const char* to_string(ConventionSource c) { return enum_name(c); }
const char* to_string(Framework f) { return enum_name(f); }
const char* to_string(NcclAlgo a) { return enum_name(a); }
const char* to_string(NcclProto p) { return enum_name(p); }

std::vector<std::string> forcible_algorithms() {
  std::vector<std::string> out{"auto"};
  for (const auto& n : EnumTable<NcclAlgo>::names)
    if (n.value != NcclAlgo::nvls_tree) out.emplace_back(n.name);
  return out;
}

}  // namespace trainsim
