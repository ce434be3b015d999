# sim/cost: explicit source, test and benchmark lists (included from CMakeLists.txt).
# sim/model/layer_ops.cpp (the ops a layer runs) is listed here: it exists for the cost model.
target_sources(trainsim_core PRIVATE
  sim/model/layer_ops.cpp
  sim/cost/efficiency.cpp
  sim/cost/op_cost.cpp
  sim/cost/compute_profile.cpp
)
trainsim_add_test(layer_ops_test)
trainsim_add_test(cost_test)
