// run_sweep_distributed in a build without MPI (TRAINSIM_MPI=OFF): one process.
#include "sim/sweep/sweep_mpi.hpp"

namespace trainsim {

bool sweep_mpi_available() { return false; }

std::optional<SweepRun> run_sweep_distributed(const SweepSpec& spec, const Zoo& zoo, const SweepRunOptions& options) {
  return run_sweep(spec, zoo, options);
}

}  // namespace trainsim
