# sim/search: the plan search behind sweep, advise and validate.
trainsim_module(NAME search DIR sim/search
  SOURCES plan_search.cpp
  DEPS workload memory spec core
  PRIVATE_LIBS TBB::tbb)
