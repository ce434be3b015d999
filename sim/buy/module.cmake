# sim/buy: `trainsim compare`, the buying question: compare files, the power,
# energy, cost and goodput closed forms, and one plan search per candidate.
# Above sim/sweep because each candidate's best layout is a `search: all`
# sweep (sweep_points, sweep_factory) and its Pareto front reuses sweep's.
trainsim_module(NAME buy DIR sim/buy
  SOURCES economics.cpp
          compare_file.cpp
          compare_run.cpp
          compare_report.cpp
  DEPS sweep load search report config workload spec core
  PUBLIC_LIBS nlohmann_json::nlohmann_json
  PRIVATE_LIBS yaml-cpp)
