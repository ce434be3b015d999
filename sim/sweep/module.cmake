# sim/sweep: sweep files, enumeration, Pareto front, sweep CSV and advise.
trainsim_module(NAME sweep DIR sim/sweep
  SOURCES advise.cpp
          advise_json.cpp
          advise_search.cpp
          enumerate.cpp
          pareto.cpp
          sweep_csv.cpp
          sweep_file.cpp
          sweep_html.cpp
          sweep_merge.cpp
          sweep_points.cpp
          sweep_run.cpp
          sweep_summary.cpp
          sweep_values.cpp
  DEPS load search report config model spec core
  PUBLIC_LIBS nlohmann_json::nlohmann_json
  PRIVATE_LIBS yaml-cpp TBB::tbb)
if(TRAINSIM_MPI)
  target_sources(trainsim_sweep PRIVATE sim/sweep/sweep_mpi.cpp)
  target_link_libraries(trainsim_sweep PUBLIC MPI::MPI_CXX)
else()
  target_sources(trainsim_sweep PRIVATE sim/sweep/sweep_mpi_none.cpp)
endif()
