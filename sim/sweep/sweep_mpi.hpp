// A sweep spread over MPI ranks (CMake option TRAINSIM_MPI; docs/sweep.md).
//
// Under `mpirun -n R trainsim sweep ...` rank 0 hands out chunks of point
// indices on request (dynamic load balancing: layouts differ a lot in cost),
// the other ranks evaluate them on their own oneTBB workers and send the rows
// back, and rank 0 returns the table a single-process run returns (same rows,
// same order, same bytes). In a build without MPI, or with one rank, this is
// run_sweep.
#pragma once

#include <optional>

#include "sim/sweep/sweep_run.hpp"

namespace trainsim {

// True when this binary was built with TRAINSIM_MPI.
bool sweep_mpi_available();

// Rank 0 (or a single process): the sweep's table. Other ranks: std::nullopt
// after their share of the work. Initialises and finalises MPI when it is
// available. Throws what run_sweep throws.
std::optional<SweepRun> run_sweep_distributed(const SweepSpec& spec, const Zoo& zoo, const SweepRunOptions& options);

}  // namespace trainsim
