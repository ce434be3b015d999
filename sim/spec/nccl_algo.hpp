// NCCL's algorithms and protocols (NCCL_ALGO, NCCL_PROTO), as the scenario's
// network.* keys name them and the tuner (sim/net/nccl_tuner.hpp) models them.
#pragma once

namespace trainsim {

// NCCL's algorithms, plus `hierarchical`: not one of NCCL's (its multi-node
// rings and trees already cross nodes) but three NCCL calls in a row, intra-node
// then inter-node then intra-node, as frameworks issue it (net/collective.hpp).
// NCCL's tuner never enables it: nccl_estimate() gives nothing for it and
// nccl_pick() never returns it; predict_collective() runs it when forced.
enum class NcclAlgo { tree, ring, nvls, nvls_tree, hierarchical };
enum class NcclProto { ll, ll128, simple };

const char* to_string(NcclAlgo a);
const char* to_string(NcclProto p);

}  // namespace trainsim
