# sim/topology: cluster graphs (Boost.Graph), routes and the cluster card checks.
trainsim_module(NAME topology DIR sim/topology
  SOURCES cluster_check.cpp
          topology_builder.cpp
          topology_size.cpp
  DEPS spec core
  PRIVATE_LIBS Boost::boost)
