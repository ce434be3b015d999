# One helper per kind of test.
#
# trainsim_add_test(PATH): tests/PATH.cpp (PATH = MODULE/NAME, e.g.
# core/core_test) is a doctest suite linked against the library; its
# executable and CTest entry are called NAME. The test runs with the source
# tree as working directory so it can read models/, topologies/ and
# ../shared/reference/.
function(trainsim_add_test path)
  if(NOT TRAINSIM_BUILD_TESTS)
    return()
  endif()
  get_filename_component(name ${path} NAME)
  add_executable(${name} tests/${path}.cpp tests/doctest_main.cpp)
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
