# sim/workload: the training step: plan, programs, the step engine and its result.
trainsim_module(NAME workload DIR sim/workload
  SOURCES breakdown_clock.cpp
          comm_cost.cpp
          duration_check.cpp
          emitter.cpp
          grad_buckets.cpp
          host_contention.cpp
          memory_tracker.cpp
          moe_plan.cpp
          offload_emitter.cpp
          offload_plan.cpp
          param_gather.cpp
          piece_runs.cpp
          program.cpp
          program_builder.cpp
          step_engine.cpp
          step_plan.cpp
          step_sim.cpp
          zero3_passes.cpp
  DEPS net cost memory parallel topology model spec core)
