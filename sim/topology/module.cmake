# sim/topology: cluster graphs (Boost.Graph) and routing. Explicit lists.
target_sources(trainsim_core PRIVATE
  sim/topology/cluster_check.cpp
  sim/topology/topology_builder.cpp
)
trainsim_add_test(topology_test)
