# tests: the doctest suites, CLI scripts and layering checks, grouped by the
# module they exercise (cmake/TrainsimTest.cmake has the helpers).

# core, spec, config
trainsim_add_test(units_test)
trainsim_add_test(core_test)
trainsim_add_test(config_test)
# parallel
trainsim_add_test(layout_test)
# model
trainsim_add_test(model_params_test)
trainsim_add_test(activations_test)
trainsim_add_test(layer_ops_test)
# import
trainsim_add_test(hf_config_test)
trainsim_add_test(ds_config_test)
trainsim_add_test(megatron_args_test)
# load
trainsim_add_test(data_dir_test)
# memory
trainsim_add_test(memory_model_test)
trainsim_add_test(deepspeed_estimators_test)
trainsim_add_test(zero_explain_test)
trainsim_add_test(bloom_memory_test)
# topology, net
trainsim_add_test(topology_test)
trainsim_add_test(flow_network_test)
trainsim_add_test(collective_test)
trainsim_add_test(nccl_tuner_test)
trainsim_add_test(collective_flow_test)
trainsim_add_test(collective_hierarchical_test)
# cost
trainsim_add_test(cost_test)
# workload
trainsim_add_test(workload_test)
trainsim_add_test(step_sim_test)
trainsim_add_test(offload_test)
trainsim_add_test(host_contention_test)
trainsim_add_test(offload_knobs_test)
trainsim_add_test(sc21_validation_test)
trainsim_add_test(property_test)
# report, search, sweep, validate
trainsim_add_test(step_report_test)
trainsim_add_test(plan_search_test)
trainsim_add_test(sweep_test)
trainsim_add_test(advise_test)
trainsim_add_test(sweep_validation_test)
trainsim_add_test(validate_test)

# the command line
trainsim_add_cli_test(cli_bad_input_test tests/cli_bad_input_test.sh)
trainsim_add_cli_test(cli_smoke_test tests/cli_smoke_test.sh)
trainsim_add_cli_test(cli_importers_test tests/cli_importers_test.sh)
trainsim_add_cli_test(cli_sweep_test tests/cli_sweep_test.sh)
trainsim_add_cli_test(cli_validate_test tests/cli_validate_test.sh)
trainsim_add_cli_test(cli_data_dir_test tests/cli_data_dir_test.sh)
if(TRAINSIM_BUILD_TESTS)
  add_test(NAME bad_inputs_doc COMMAND bash ${CMAKE_SOURCE_DIR}/tools/gen_bad_inputs.sh $<TARGET_FILE:trainsim> --check
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endif()
if(TRAINSIM_MPI AND TRAINSIM_BUILD_TESTS)
  add_test(NAME mpi_sweep_test
           COMMAND bash ${CMAKE_SOURCE_DIR}/tests/mpi_sweep_test.sh $<TARGET_FILE:trainsim> ${MPIEXEC_EXECUTABLE}
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endif()

# The layering (cmake/TrainsimModule.cmake): every include points down, and a
# file that breaks the rule is caught, by the include check and by the linker.
if(TRAINSIM_BUILD_TESTS)
  set(layering_args -DMAP=${PROJECT_BINARY_DIR}/layering_map.cmake -DROOT=${PROJECT_SOURCE_DIR})
  add_test(NAME layering_includes COMMAND ${CMAKE_COMMAND} ${layering_args} -P ${PROJECT_SOURCE_DIR}/cmake/CheckLayering.cmake)
  add_test(NAME layering_includes_catch_violation
           COMMAND ${CMAKE_COMMAND} ${layering_args} -DPROBE=tests/layering/core_calls_load.cpp:core
                   -P ${PROJECT_SOURCE_DIR}/cmake/CheckLayering.cmake)
  set_tests_properties(layering_includes_catch_violation PROPERTIES
    PASS_REGULAR_EXPRESSION "core_calls_load.cpp:[0-9]+: module 'core' includes sim/load/model_loader.hpp of module 'load'")
  if(TRAINSIM_LINK_CHECK)
    # A shared library of the core floor whose one function calls the loader:
    # built on demand by the test, it must fail to link.
    add_library(layering_violation_probe SHARED EXCLUDE_FROM_ALL tests/layering/core_calls_load.cpp)
    target_link_libraries(layering_violation_probe PRIVATE trainsim_core)
    target_link_options(layering_violation_probe PRIVATE -Wl,--no-undefined)
    add_test(NAME layering_link_catches_violation
             COMMAND ${CMAKE_COMMAND} --build ${PROJECT_BINARY_DIR} --target layering_violation_probe)
    set_tests_properties(layering_link_catches_violation PROPERTIES
      PASS_REGULAR_EXPRESSION "undefined reference to `trainsim::load_model")
  endif()
endif()
