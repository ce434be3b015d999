# sim/parallel: the rank mesh (Megatron order) and pipeline schedule tables.
trainsim_module(NAME parallel DIR sim/parallel
  SOURCES layout.cpp
          schedule.cpp
  DEPS spec)
