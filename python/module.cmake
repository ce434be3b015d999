# The Python package `trainsim` (python/trainsim, bindings in python/bindings.cpp):
# the extension module trainsim._core on the same library as the command line.
#   TRAINSIM_PYTHON  AUTO (default): built when pybind11 and the Python headers
#                    are found; ON: required; OFF: not built.
# The interpreter: -DPython3_EXECUTABLE=..., else Debian's /usr/bin/python3 when
# it exists (its python3-pybind11 and python3-pytest; a pyenv or venv python3
# earlier on PATH would otherwise be picked and lack them), else FindPython3's
# choice. `pip install --no-build-isolation .` (setup.py) passes its own.
set(TRAINSIM_PYTHON AUTO CACHE STRING "Build the Python package: AUTO (when pybind11 is found), ON or OFF")
set(TRAINSIM_PYTHON_INSTALL_DIR "" CACHE STRING
    "Where cmake --install puts the package, relative to the prefix (default lib/python3.X/dist-packages)")
set(TRAINSIM_PYTHON_BUILT OFF)
if(TRAINSIM_SANITIZE OR TRAINSIM_FUZZ)
  # An instrumented extension cannot load into an uninstrumented interpreter.
  message(STATUS "trainsim Python package: not built in a sanitizer or fuzz build")
elseif(NOT TRAINSIM_PYTHON STREQUAL OFF)
  if(NOT Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
    set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python interpreter of the trainsim package")
  endif()
  if(TRAINSIM_PYTHON STREQUAL ON)
    set(python_required REQUIRED)
  endif()
  find_package(Python3 COMPONENTS Interpreter Development.Module ${python_required})
  if(Python3_FOUND)
    # pybind11's CMake files: Debian's pybind11-dev, or the interpreter's pybind11 module.
    execute_process(COMMAND ${Python3_EXECUTABLE} -c "import pybind11; print(pybind11.get_cmake_dir())"
                    OUTPUT_VARIABLE pybind11_module_dir OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    find_package(pybind11 2.6 CONFIG ${python_required} HINTS ${pybind11_module_dir})
  endif()
  if(Python3_FOUND AND pybind11_FOUND)
    set(TRAINSIM_PYTHON_BUILT ON)
  else()
    message(STATUS "trainsim Python package: not built (needs pybind11-dev, python3-pybind11 and python3-dev)")
  endif()
endif()

if(TRAINSIM_PYTHON_BUILT)
  message(STATUS "trainsim Python package: built for ${Python3_EXECUTABLE} (Python ${Python3_VERSION})")
  pybind11_add_module(trainsim_python MODULE python/bindings.cpp)
  set_target_properties(trainsim_python PROPERTIES OUTPUT_NAME _core
                        LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/python/trainsim)
  target_compile_options(trainsim_python PRIVATE ${TRAINSIM_WARNINGS})
  target_compile_definitions(trainsim_python PRIVATE TRAINSIM_DEFAULT_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}")
  target_link_libraries(trainsim_python PRIVATE trainsim::trainsim)
  # The pure-Python part beside the module in the build tree: PYTHONPATH=build/python imports it.
  file(GLOB trainsim_python_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/python/trainsim/*)
  foreach(f IN LISTS trainsim_python_sources)
    get_filename_component(name ${f} NAME)
    configure_file(${f} ${PROJECT_BINARY_DIR}/python/trainsim/${name} COPYONLY)
  endforeach()
  if(TRAINSIM_PYTHON_INSTALL_DIR STREQUAL "")
    set(TRAINSIM_PYTHON_INSTALL_DIR lib/python${Python3_VERSION_MAJOR}.${Python3_VERSION_MINOR}/dist-packages)
  endif()
  install(TARGETS trainsim_python LIBRARY DESTINATION ${TRAINSIM_PYTHON_INSTALL_DIR}/trainsim)
  install(FILES ${trainsim_python_sources} DESTINATION ${TRAINSIM_PYTHON_INSTALL_DIR}/trainsim)
endif()
