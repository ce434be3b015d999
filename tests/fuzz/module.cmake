# tests/fuzz: libFuzzer targets (TRAINSIM_FUZZ=ON, clang) and the replay of
# their corpora. Explicit lists. docs/fuzzing.md says how to run them.
#
# Every fuzz target NAME has a seed corpus (and the regression inputs of its
# past findings) in tests/fuzz/NAME/. In a fuzz build, the test NAME_corpus
# replays that folder through the target, so a finding once fixed stays fixed.
set(TRAINSIM_FUZZ_TARGETS fuzz_units fuzz_yaml_loaders fuzz_hf_config fuzz_ds_config fuzz_megatron_args
    fuzz_torchtitan fuzz_runs_csv fuzz_sweep_file fuzz_sweep_merge)

if(TRAINSIM_FUZZ)
  foreach(name IN LISTS TRAINSIM_FUZZ_TARGETS)
    add_executable(${name} tests/fuzz/${name}.cpp)
    target_compile_options(${name} PRIVATE ${TRAINSIM_WARNINGS})
    target_compile_definitions(${name} PRIVATE TRAINSIM_DEFAULT_DATA_DIR="${CMAKE_SOURCE_DIR}")
    target_link_libraries(${name} PRIVATE trainsim::trainsim)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    if(TRAINSIM_BUILD_TESTS)
      add_test(NAME ${name}_corpus COMMAND ${name} -runs=0 ${CMAKE_SOURCE_DIR}/tests/fuzz/${name}
               WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
    endif()
  endforeach()
endif()
