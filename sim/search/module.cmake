# sim/search: the plan search behind sweep, advise and validate's `auto` columns. Explicit lists.
target_sources(trainsim_core PRIVATE
  sim/search/plan_search.cpp
)
trainsim_add_test(plan_search_test)
