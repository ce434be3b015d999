# sim/topology: cluster graphs (Boost.Graph) and routing. Explicit lists.
target_sources(trainsim_core PRIVATE
  sim/topology/topology_builder.cpp
)
trainsim_add_test(topology_test)
