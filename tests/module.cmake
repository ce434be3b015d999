# tests: the doctest suites, CLI scripts and layering checks, grouped by the
# module they exercise (cmake/TrainsimTest.cmake has the helpers).

# core: the event engine
trainsim_add_test(core/core_test)
# config: units, the key table and the scenario loader's checks
trainsim_add_test(config/units_test)
trainsim_add_test(config/config_test)
trainsim_add_test(config/scenario_defaults_test)
trainsim_add_test(config/layout_test)
trainsim_add_test(config/moe_layout_test)
trainsim_add_test(config/input_files_test)
# parallel: the rank mesh and the pipeline schedules
trainsim_add_test(parallel/parallel_test)
trainsim_add_test(parallel/expert_layout_test)
# model
trainsim_add_test(model/model_params_test)
trainsim_add_test(model/moe_params_test)
trainsim_add_test(model/moe_ops_test)
# moe: closed forms of MoE communication
trainsim_add_test(moe/moe_comm_test)
trainsim_add_test(model/activations_test)
trainsim_add_test(model/layer_ops_test)
trainsim_add_test(model/knobs_test)
trainsim_add_test(model/op_sac_test)
# import: Hugging Face, DeepSpeed and Megatron-LM inputs
trainsim_add_test(import/hf_config_test)
trainsim_add_test(import/hf_moe_test)
trainsim_add_test(import/peft_config_test)
trainsim_add_test(import/ds_config_test)
trainsim_add_test(import/defaults_test)
trainsim_add_test(import/megatron_args_test)
trainsim_add_test(import/megatron_moe_test)
trainsim_add_test(import/titan_config_test)
# load: where the data directory is found
trainsim_add_test(load/data_dir_test)
trainsim_add_test(load/card_assumptions_test)
trainsim_add_test(load/framework_profile_test)
# memory
trainsim_add_test(memory/memory_model_test)
trainsim_add_test(memory/deepspeed_estimators_test)
trainsim_add_test(memory/zero_explain_test)
trainsim_add_test(memory/moe_memory_test)
# topology
trainsim_add_test(topology/topology_test)
# net
trainsim_add_test(net/flow_network_test)
trainsim_add_test(net/collective_test)
trainsim_add_test(net/nccl_tuner_test)
trainsim_add_test(net/collective_flow_test)
trainsim_add_test(net/collective_hierarchical_test)
trainsim_add_test(net/socket_transport_test)
trainsim_add_test(net/card_latency_test)
# cost
trainsim_add_test(cost/cost_test)
# workload: the step simulation
trainsim_add_test(workload/step_sim_test)
trainsim_add_test(workload/moe_step_test)
trainsim_add_test(workload/offload_test)
trainsim_add_test(workload/host_contention_test)
trainsim_add_test(workload/offload_knobs_test)
trainsim_add_test(workload/property_test)
trainsim_add_test(workload/grad_reduction_test)
trainsim_add_test(workload/framework_convention_test)
trainsim_add_test(workload/fsdp_test)
trainsim_add_test(workload/finetune_test)
trainsim_add_test(workload/knobs_step_test)
trainsim_add_test(workload/bounds_test)
trainsim_add_test(workload/fp8_recipes_test)
trainsim_add_test(workload/blackwell_test)
# report, search, sweep, validate
trainsim_add_test(report/step_report_test)
trainsim_add_test(report/trace_flows_test)
trainsim_add_test(report/html_page_test)
trainsim_add_test(search/plan_search_test)
trainsim_add_test(sweep/sweep_test)
trainsim_add_test(sweep/sweep_ep_test)
trainsim_add_test(sweep/advise_test)
trainsim_add_test(sweep/memory_verdict_test)
trainsim_add_test(buy/economics_test)
trainsim_add_test(buy/compare_file_test)
trainsim_add_test(validate/validate_test)
trainsim_add_test(validate/validate_settings_test)
trainsim_add_test(validate/validate_moe_test)
# validation against measured runs (tolerances stated in each suite)
trainsim_add_test(validation/sc21_validation_test)
trainsim_add_test(validation/bloom_memory_test)
trainsim_add_test(validation/sweep_validation_test)

# the command line (tests/cli/, sharing tests/lib.sh)
trainsim_add_cli_test(cli_bad_input_test tests/cli/cli_bad_input_test.sh)
# every numeric key at its bounds (issue 25); no address-space bound under ASan (its shadow memory)
if(TRAINSIM_SANITIZE)
  trainsim_add_cli_test(property_keys_test tests/cli/property_keys_test.sh --sanitized)
else()
  trainsim_add_cli_test(property_keys_test tests/cli/property_keys_test.sh)
endif()
trainsim_add_cli_test(cli_smoke_test tests/cli/cli_smoke_test.sh)
trainsim_add_cli_test(cli_importers_test tests/cli/cli_importers_test.sh)
trainsim_add_cli_test(cli_moe_test tests/cli/cli_moe_test.sh)
trainsim_add_cli_test(cli_explain_moe_test tests/cli/cli_explain_moe_test.sh)
trainsim_add_cli_test(cli_moe_mem_test tests/cli/cli_moe_mem_test.sh)
trainsim_add_cli_test(cli_torchtitan_test tests/cli/cli_torchtitan_test.sh)
trainsim_add_cli_test(cli_sweep_test tests/cli/cli_sweep_test.sh)
trainsim_add_cli_test(cli_advise_ds_test tests/cli/cli_advise_ds_test.sh)
trainsim_add_cli_test(cli_compare_test tests/cli/cli_compare_test.sh)
trainsim_add_cli_test(cli_validate_test tests/cli/cli_validate_test.sh)
trainsim_add_cli_test(cli_data_dir_test tests/cli/cli_data_dir_test.sh)
trainsim_add_cli_test(cli_no_yaml_test tests/cli/cli_no_yaml_test.sh)
trainsim_add_cli_test(exercise_hf_deepspeed_test tests/cli/exercise_hf_deepspeed_test.sh)
trainsim_add_cli_test(cli_output_test tests/cli/cli_output_test.sh)
trainsim_add_cli_test(cli_exercise_socket_test tests/cli/cli_exercise_socket_test.sh)
trainsim_add_cli_test(exercise_70b_test tests/cli/exercise_70b_test.sh)
trainsim_add_cli_test(throw_sites_test tests/cli/throw_sites_test.sh)
trainsim_add_cli_test(cli_sanity_test tests/cli/cli_sanity_test.sh)
# the HTML reports in headless Chromium (exit 77 = skipped, only when Chromium is missing)
# (under ASan only the small run and sweep: GPT-3 175B and the 70B search are slow there)
if(TRAINSIM_SANITIZE)
  trainsim_add_cli_test(html_report_test tests/report/html_report_test.sh --quick)
else()
  trainsim_add_cli_test(html_report_test tests/report/html_report_test.sh)
endif()
if(TRAINSIM_BUILD_TESTS)
  set_tests_properties(html_report_test PROPERTIES SKIP_RETURN_CODE 77)
endif()

# the Python package (python/, python/module.cmake): pytest with the built command line to compare with
if(TRAINSIM_PYTHON_BUILT)
  add_test(NAME python_test COMMAND ${Python3_EXECUTABLE} -m pytest -q -p no:cacheprovider
                                    ${CMAKE_CURRENT_SOURCE_DIR}/tests/python)
  set_tests_properties(python_test PROPERTIES WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
    ENVIRONMENT "PYTHONPATH=${PROJECT_BINARY_DIR}/python;TRAINSIM_BIN=$<TARGET_FILE:trainsim>;PYTHONDONTWRITEBYTECODE=1")
  trainsim_add_cli_test(python_pip_install_test tests/python/pip_install_test.sh ${Python3_EXECUTABLE}
                        ${PROJECT_BINARY_DIR})
endif()

# golden summaries: each shipped scenario against tests/golden/ (docs/testing.md)
file(STRINGS tests/golden/scenarios.txt golden_scenarios REGEX "^[^#]")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS tests/golden/scenarios.txt)
foreach(scenario IN LISTS golden_scenarios)
  string(REGEX REPLACE "^scenarios/(.*)\\.yaml$" "golden_\\1" golden_name ${scenario})
  trainsim_add_cli_test(${golden_name} tests/golden/golden_test.sh ${scenario})
endforeach()
trainsim_add_cli_test(golden_scenarios_listed tests/golden/golden_list_test.sh)
if(TRAINSIM_BUILD_TESTS)
  add_test(NAME bad_inputs_doc COMMAND bash ${CMAKE_SOURCE_DIR}/tools/gen_bad_inputs.sh $<TARGET_FILE:trainsim> --check
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endif()
if(TRAINSIM_MPI AND TRAINSIM_BUILD_TESTS)
  add_test(NAME mpi_sweep_test
           COMMAND bash ${CMAKE_SOURCE_DIR}/tests/cli/mpi_sweep_test.sh $<TARGET_FILE:trainsim> ${MPIEXEC_EXECUTABLE}
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

# House rules (docs/design.md §5): the tree is formatted by .clang-format, files
# under sim/ stay under 400 lines and functions within 60.
if(TRAINSIM_BUILD_TESTS)
  add_test(NAME house_format COMMAND bash ${PROJECT_SOURCE_DIR}/tools/check_format.sh)
  add_test(NAME house_rules COMMAND bash ${PROJECT_SOURCE_DIR}/tools/check_house.sh)
endif()
