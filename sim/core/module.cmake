# sim/core: the event kernel (engine, event queue, simulated time), units-carrying quantities and the error vocabulary.
trainsim_module(NAME core DIR sim/core
  SOURCES engine.cpp
          error.cpp
          event_queue.cpp
          format.cpp
          sim_time.cpp
          work_budget.cpp
  DEPS
  PRIVATE_LIBS fmt::fmt)
target_link_libraries(trainsim_core PUBLIC Threads::Threads)
