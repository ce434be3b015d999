# sim/validate: trainsim validate: predictions against measured runs.
trainsim_module(NAME validate DIR sim/validate
  SOURCES launch_settings.cpp
          row_hardware.cpp
          row_moe.cpp
          row_scenario.cpp
          runs_csv.cpp
          validation.cpp
          validation_report.cpp
          validation_summary.cpp
  DEPS load search workload model config spec core
  PUBLIC_LIBS nlohmann_json::nlohmann_json
  PRIVATE_LIBS TBB::tbb)
