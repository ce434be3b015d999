# sim/cost: compute cost of kernels (efficiency model, measured profiles).
trainsim_module(NAME cost DIR sim/cost
  SOURCES compute_profile.cpp
          efficiency.cpp
          op_cost.cpp
  DEPS model spec core)
