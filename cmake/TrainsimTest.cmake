# One helper per kind of test.
#
# trainsim_add_test(PATH): tests/PATH.cpp (PATH = MODULE/NAME, e.g.
# core/core_test) is a doctest suite linked against the library; its
# executable is called NAME and each of its TEST_CASEs is a CTest test
# "NAME: case name". The tests run with the source tree as working directory
# so they can read models/, topologies/ and data/reference/.
function(trainsim_add_test path)
  if(NOT TRAINSIM_BUILD_TESTS)
    return()
  endif()
  get_filename_component(name ${path} NAME)
  if(NOT TARGET trainsim_doctest_main)  # doctest's main(), compiled once for all suites
    add_library(trainsim_doctest_main OBJECT tests/doctest_main.cpp)
    target_compile_options(trainsim_doctest_main PRIVATE ${TRAINSIM_WARNINGS})
    target_link_libraries(trainsim_doctest_main PRIVATE doctest::doctest)
  endif()
  add_executable(${name} tests/${path}.cpp $<TARGET_OBJECTS:trainsim_doctest_main>)
  target_compile_options(${name} PRIVATE ${TRAINSIM_WARNINGS})
  target_compile_definitions(${name} PRIVATE TRAINSIM_DEFAULT_DATA_DIR="${CMAKE_SOURCE_DIR}")
  target_link_libraries(${name} PRIVATE trainsim::trainsim doctest::doctest)
  # Each TEST_CASE is its own CTest test, "NAME: case" (ctest -R NAME runs the
  # suite): cmake/DoctestCases.cmake lists the cases after every link.
  set(cases ${CMAKE_CURRENT_BINARY_DIR}/${name}_cases.cmake)
  add_custom_command(TARGET ${name} POST_BUILD BYPRODUCTS ${cases}
    COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:${name}> -DSUITE=${name} -DDIR=${CMAKE_SOURCE_DIR}
            -DOUT=${cases} -P ${PROJECT_SOURCE_DIR}/cmake/DoctestCases.cmake
    VERBATIM)
  # Until the suite is built, a test NAME_NOT_BUILT stands for it and fails.
  set(include ${CMAKE_CURRENT_BINARY_DIR}/${name}_include.cmake)
  file(WRITE ${include} "if(EXISTS [==[${cases}]==])\n  include([==[${cases}]==])\nelse()\n"
                        "  add_test(${name}_NOT_BUILT ${name}_NOT_BUILT)\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${include})
endfunction()

# trainsim_add_cli_test(NAME SCRIPT [ARGS...]): a bash script that drives the
# trainsim binary (passed as $1, ARGS after it) and fails with a message on the
# first wrong answer.
function(trainsim_add_cli_test name script)
  if(NOT TRAINSIM_BUILD_TESTS)
    return()
  endif()
  add_test(NAME ${name} COMMAND bash ${CMAKE_SOURCE_DIR}/${script} $<TARGET_FILE:trainsim> ${ARGN}
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
