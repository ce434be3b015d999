# Script mode (cmake -P), run after each doctest suite is linked
# (trainsim_add_test in cmake/TrainsimTest.cmake): asks the suite for its test
# cases (--list-test-cases) and writes a CTest file that registers each case as
# its own test, "SUITE: CASE name", running `SUITE --test-case=CASE` in DIR.
# doctest's own doctest_discover_tests (doctest-dev) does the same but splits
# case names at ';', which 22 of ours contain; this one keeps them whole.
#   -DEXE=path/to/suite -DSUITE=name -DDIR=working/directory -DOUT=file.cmake
execute_process(COMMAND "${EXE}" --list-test-cases --no-version=true
                OUTPUT_VARIABLE listing RESULT_VARIABLE rc WORKING_DIRECTORY "${DIR}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXE} --list-test-cases failed (${rc}):\n${listing}")
endif()
# CMake lists split at ';' and treat '[' ']' specially: stand-ins until each
# line is one element.
string(REPLACE ";" "<semicolon>" listing "${listing}")
string(REPLACE "[" "<lbracket>" listing "${listing}")
string(REPLACE "]" "<rbracket>" listing "${listing}")
string(REPLACE "\n" ";" lines "${listing}")
set(script "")
set(count 0)
foreach(line IN LISTS lines)
  if(line STREQUAL "" OR line MATCHES "^=+$" OR line MATCHES "^<lbracket>doctest<rbracket>")
    continue()
  endif()
  string(REPLACE "<semicolon>" ";" line "${line}")
  string(REPLACE "<lbracket>" "[" line "${line}")
  string(REPLACE "<rbracket>" "]" line "${line}")
  # doctest reads --test-case as a comma-separated list of patterns.
  string(REPLACE "," "\\," filter "${line}")
  set(name "${SUITE}: ${line}")
  string(APPEND script "add_test([==[${name}]==] [==[${EXE}]==] [==[--test-case=${filter}]==])\n"
                       "set_tests_properties([==[${name}]==] PROPERTIES WORKING_DIRECTORY [==[${DIR}]==])\n")
  math(EXPR count "${count} + 1")
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "${EXE} lists no test cases")
endif()
file(WRITE "${OUT}" "${script}")
