# One helper per kind of test.
#
# trainsim_add_test(NAME): tests/NAME.cpp is a doctest suite linked against the
# library; the test runs with the source tree as working directory so it can
# read models/, topologies/ and data/reference/.
function(trainsim_add_test name)
  if(NOT TRAINSIM_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} tests/${name}.cpp tests/doctest_main.cpp)
  target_compile_options(${name} PRIVATE ${TRAINSIM_WARNINGS})
  target_compile_definitions(${name} PRIVATE TRAINSIM_DEFAULT_DATA_DIR="${CMAKE_SOURCE_DIR}")
  target_link_libraries(${name} PRIVATE trainsim::trainsim doctest::doctest)
  add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endfunction()

# trainsim_add_cli_test(NAME SCRIPT): a bash script that drives the trainsim
# binary (passed as $1) and fails with a message on the first wrong answer.
function(trainsim_add_cli_test name script)
  if(NOT TRAINSIM_BUILD_TESTS)
    return()
  endif()
  add_test(NAME ${name} COMMAND bash ${CMAKE_SOURCE_DIR}/${script} $<TARGET_FILE:trainsim>
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endfunction()

# trainsim_add_bench(NAME): tools/bench/NAME.cpp is a Google Benchmark program.
function(trainsim_add_bench name)
  if(NOT TRAINSIM_BUILD_BENCHMARKS)
    return()
  endif()
  add_executable(${name} tools/bench/${name}.cpp)
  target_compile_options(${name} PRIVATE ${TRAINSIM_WARNINGS})
  target_compile_definitions(${name} PRIVATE TRAINSIM_DEFAULT_DATA_DIR="${CMAKE_SOURCE_DIR}")
  target_link_libraries(${name} PRIVATE trainsim::trainsim benchmark::benchmark)
endfunction()
