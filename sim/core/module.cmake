# sim/core: the event kernel (engine, event queue, simulated time), units-carrying quantities and the error vocabulary.
trainsim_module(NAME core DIR sim/core
  SOURCES engine.cpp
          error.cpp
          event_queue.cpp
          sim_time.cpp
  DEPS )
target_link_libraries(trainsim_core PUBLIC Threads::Threads)
