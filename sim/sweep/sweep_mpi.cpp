// run_sweep_distributed over MPI ranks (TRAINSIM_MPI=ON; sweep_mpi.hpp).
//
// Protocol: every rank reads the sweep and lists the same points (deterministic).
// Rank 0 only coordinates: a worker sends a request (tag kRequest) carrying the
// rows of its previous chunk as sweep-CSV text (empty at first); rank 0 stores
// them and answers with the next chunk [begin, end) of this shard's points
// (tag kChunk), or an empty chunk when none is left. Small chunks at the end
// keep the ranks busy when layouts differ a lot in cost.
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "sim/core/error.hpp"
#include "sim/sweep/sweep_mpi.hpp"

namespace trainsim {
namespace {

constexpr int kRequest = 1;
constexpr int kChunk = 2;
constexpr std::size_t kChunksPerWorker = 8;  // chunk = points / (workers x 8), at least 1

struct Context {
  int rank = 0, size = 1;
  std::vector<PlanPoint> points;
  std::vector<std::size_t> mine;  // this shard's point indices
  std::vector<std::string> header;
};

// Rank 0: hands out chunks until every worker was told to stop; returns the rows by position in `mine`.
std::vector<std::vector<std::string>> coordinate(const Context& c, const SweepRunOptions& o) {
  std::vector<std::vector<std::string>> rows(c.mine.size());
  std::vector<std::size_t> position(c.points.size(), 0);
  for (std::size_t i = 0; i < c.mine.size(); ++i) position[c.mine[i]] = i;
  const std::size_t chunk = std::max<std::size_t>(1, c.mine.size() / ((c.size - 1) * kChunksPerWorker));
  std::size_t next = 0, done = 0;
  int stopped = 0;
  while (stopped < c.size - 1) {
    MPI_Status st;
    MPI_Probe(MPI_ANY_SOURCE, kRequest, MPI_COMM_WORLD, &st);
    int bytes = 0;
    MPI_Get_count(&st, MPI_CHAR, &bytes);
    std::string text(static_cast<std::size_t>(bytes), '\0');
    MPI_Recv(text.data(), bytes, MPI_CHAR, st.MPI_SOURCE, kRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (!text.empty()) {
      CsvTable part = parse_csv(text, "rank " + std::to_string(st.MPI_SOURCE));
      for (auto& row : part.rows) rows[position[std::stoull(row[0])]] = std::move(row), ++done;
      if (o.progress) o.progress(done, c.mine.size());
    }
    unsigned long long range[2] = {next, std::min(next + chunk, c.mine.size())};
    next = range[1];
    if (range[0] == range[1]) ++stopped;
    MPI_Send(range, 2, MPI_UNSIGNED_LONG_LONG, st.MPI_SOURCE, kChunk, MPI_COMM_WORLD);
  }
  return rows;
}

// Other ranks: request, evaluate, send back, until an empty chunk arrives.
void work(const SweepSpec& spec, const Zoo& zoo, const Context& c, const SweepRunOptions& o) {
  SearchOptions search;
  search.threads = o.threads;
  std::string text;
  for (;;) {
    MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, 0, kRequest, MPI_COMM_WORLD);
    unsigned long long range[2];
    MPI_Recv(range, 2, MPI_UNSIGNED_LONG_LONG, 0, kChunk, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (range[0] == range[1]) return;
    std::vector<std::size_t> indices(c.mine.begin() + static_cast<std::ptrdiff_t>(range[0]),
                                     c.mine.begin() + static_cast<std::ptrdiff_t>(range[1]));
    text = csv_text(evaluate_rows(spec, zoo, c.points, indices, c.header, search));
  }
}

// MPI_Init on construction when needed, MPI_Finalize on destruction.
struct MpiSession {
  MpiSession() {
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited) MPI_Init(nullptr, nullptr);
  }
  ~MpiSession() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  }
};

}  // namespace

bool sweep_mpi_available() { return true; }

std::optional<SweepRun> run_sweep_distributed(const SweepSpec& spec, const Zoo& zoo, const SweepRunOptions& options) {
  MpiSession session;
  Context c;
  MPI_Comm_rank(MPI_COMM_WORLD, &c.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &c.size);
  if (c.size == 1) return run_sweep(spec, zoo, options);
  SweepPlan plan = plan_sweep(spec, zoo, options);  // every rank: the same points, or the same error
  c.points = std::move(plan.points);
  c.mine = std::move(plan.indices);
  c.header = std::move(plan.header);
  if (c.rank != 0) {
    try {
      work(spec, zoo, c, options);
    } catch (const std::exception& e) {  // a worker cannot report through rank 0's CLI: stop the job
      std::fprintf(stderr, "rank %d: internal error: %s\n", c.rank, e.what());
      MPI_Abort(MPI_COMM_WORLD, 3);
    }
    return std::nullopt;
  }
  if (options.counted) options.counted(c.points.size(), c.mine.size());
  SweepRun run;
  run.total_points = c.points.size();
  run.skipped = std::move(plan.skipped);
  run.table.header = c.header;
  run.table.rows = coordinate(c, options);
  mark_pareto(run.table);
  return run;
}

}  // namespace trainsim
