# sim/sweep: sweep files, `search: all` enumeration, Pareto front, sweep CSV
# (write, shard, merge) and `trainsim advise`. Explicit lists.
target_sources(trainsim_core PRIVATE
  sim/sweep/sweep_file.cpp
  sim/sweep/sweep_values.cpp
  sim/sweep/sweep_points.cpp
  sim/sweep/enumerate.cpp
  sim/sweep/pareto.cpp
  sim/sweep/sweep_csv.cpp
  sim/sweep/sweep_merge.cpp
  sim/sweep/sweep_summary.cpp
  sim/sweep/sweep_run.cpp
  sim/sweep/advise.cpp
)
if(TRAINSIM_MPI)
  target_sources(trainsim_core PRIVATE sim/sweep/sweep_mpi.cpp)
  target_link_libraries(trainsim_core PRIVATE MPI::MPI_CXX)
else()
  target_sources(trainsim_core PRIVATE sim/sweep/sweep_mpi_none.cpp)
endif()
trainsim_add_test(sweep_test)
trainsim_add_test(advise_test)
trainsim_add_test(sweep_validation_test)
trainsim_add_cli_test(cli_sweep_test tests/cli_sweep_test.sh)
trainsim_add_bench(bench_sweep)
if(TRAINSIM_MPI AND TRAINSIM_BUILD_TESTS)
  add_test(NAME mpi_sweep_test
           COMMAND bash ${CMAKE_SOURCE_DIR}/tests/mpi_sweep_test.sh $<TARGET_FILE:trainsim> ${MPIEXEC_EXECUTABLE}
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endif()
