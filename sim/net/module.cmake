# sim/net: flow-level network, collectives (flow and analytical). Explicit lists.
target_sources(trainsim_core PRIVATE
  sim/net/flow_network.cpp
  sim/net/collective.cpp
  sim/net/collective_hierarchical.cpp
  sim/net/nccl_tuner.cpp
  sim/net/nccl_exec.cpp
  sim/net/collective_pattern.cpp
  sim/net/collective_flow.cpp
)
trainsim_add_test(flow_network_test)
trainsim_add_test(collective_test)
trainsim_add_test(nccl_tuner_test)
trainsim_add_test(collective_flow_test)
trainsim_add_test(collective_hierarchical_test)
trainsim_add_bench(bench_net)
