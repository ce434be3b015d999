# sim/validate: `trainsim validate`, predictions against measured runs (issue 7). Explicit lists.
target_sources(trainsim_core PRIVATE
  sim/validate/runs_csv.cpp
  sim/validate/launch_settings.cpp
  sim/validate/row_hardware.cpp
  sim/validate/row_scenario.cpp
  sim/validate/validation.cpp
  sim/validate/validation_summary.cpp
  sim/validate/validation_report.cpp
)
trainsim_add_test(validate_test)
trainsim_add_cli_test(cli_validate_test tests/cli_validate_test.sh)
