# sim/workload: layouts, schedules, step programs and their execution. Explicit lists.
target_sources(trainsim_core PRIVATE
  sim/workload/layout.cpp
  sim/workload/schedule.cpp
  sim/workload/comm_cost.cpp
  sim/workload/program.cpp
  sim/workload/emitter.cpp
  sim/workload/host_contention.cpp
  sim/workload/offload_plan.cpp
  sim/workload/step_plan.cpp
  sim/workload/offload_emitter.cpp
  sim/workload/program_builder.cpp
  sim/workload/step_engine.cpp
  sim/workload/step_sim.cpp
)
trainsim_add_test(workload_test)
trainsim_add_test(step_sim_test)
trainsim_add_test(offload_test)
trainsim_add_test(host_contention_test)
trainsim_add_test(offload_knobs_test)
trainsim_add_test(sc21_validation_test)
trainsim_add_test(property_test)
trainsim_add_bench(bench_run)
