# cmake -DMAP=build/layering_map.cmake -DROOT=<source> [-DPROBE=file:module] -P cmake/CheckLayering.cmake
#
# Fails (naming file, line, the include and the floor rule) when a file of a
# module of sim/ includes a header of a module that is not below it, i.e. not
# in the closure of its DEPS (cmake/TrainsimModule.cmake). PROBE adds one more
# file, read as if it were in that module's folder (the test that shows a
# violating include is caught).
cmake_minimum_required(VERSION 3.22)
include(${MAP})

# The module whose folder holds header `path` (sim/.../x.hpp): the longest folder match.
function(owner path out)
  set(best "")
  set(best_len 0)
  foreach(m IN LISTS TRAINSIM_MODULES)
    string(LENGTH "${TRAINSIM_DIR_${m}}/" len)
    string(SUBSTRING "${path}" 0 ${len} head)
    if(head STREQUAL "${TRAINSIM_DIR_${m}}/" AND len GREATER best_len)
      set(best ${m})
      set(best_len ${len})
    endif()
  endforeach()
  set(${out} "${best}" PARENT_SCOPE)
endfunction()

set(problems "")
function(check_file file module)
  file(STRINGS "${file}" lines)
  set(n 0)
  foreach(line IN LISTS lines)
    math(EXPR n "${n} + 1")
    if(line MATCHES "^#include \"(sim/[^\"]+)\"")
      set(inc "${CMAKE_MATCH_1}")
      owner("${inc}" target)
      if(target STREQUAL "")
        string(APPEND problems "${file}:${n}: includes ${inc}, which no module of sim/ holds\n")
      elseif(NOT target IN_LIST TRAINSIM_ALLOWED_${module})
        string(APPEND problems "${file}:${n}: module '${module}' includes ${inc} of module '${target}', which is not below it (${module} may include: ${TRAINSIM_ALLOWED_${module}}); move the code to the floor both can see, or declare the dependency in ${TRAINSIM_DIR_${module}}/module.cmake if it does not make a cycle\n")
      endif()
    endif()
  endforeach()
  set(problems "${problems}" PARENT_SCOPE)
endfunction()

foreach(m IN LISTS TRAINSIM_MODULES)
  file(GLOB files "${ROOT}/${TRAINSIM_DIR_${m}}/*.hpp" "${ROOT}/${TRAINSIM_DIR_${m}}/*.cpp")
  foreach(f IN LISTS files)
    check_file("${f}" ${m})
  endforeach()
endforeach()
if(PROBE)
  string(REPLACE ":" ";" probe "${PROBE}")
  list(GET probe 0 probe_file)
  list(GET probe 1 probe_module)
  check_file("${ROOT}/${probe_file}" ${probe_module})
endif()

if(problems)
  message(NOTICE "${problems}")
  message(FATAL_ERROR "layering: the includes above run up a floor")
endif()
list(LENGTH TRAINSIM_MODULES count)
message(STATUS "layering: every include of the ${count} modules of sim/ points down or sideways within its folder")
