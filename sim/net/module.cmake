# sim/net: flow-level network and NCCL collectives (tuner, patterns, flows).
trainsim_module(NAME net DIR sim/net
  SOURCES collective.cpp
          collective_flow.cpp
          collective_hierarchical.cpp
          collective_pattern.cpp
          flow_network.cpp
          flow_range.cpp
          max_min.cpp
          nccl_exec.cpp
          nccl_tuner.cpp
  DEPS topology spec core)
