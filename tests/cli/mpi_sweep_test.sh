#!/usr/bin/env bash
# trainsim sweep under MPI (TRAINSIM_MPI=ON): `mpirun -n 2` (rank 0 hands out chunks,
# rank 1 evaluates them) writes the same CSV, byte for byte, as a single process;
# so does a 4-way shard run under MPI once merged.
# Usage: mpi_sweep_test.sh PATH/TO/trainsim PATH/TO/mpirun
set -u
bin="$1"
mpirun="$2"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
small="$root/tests/data/sweep/small.yaml"
mpi() { "$mpirun" --allow-run-as-root --oversubscribe -n "$@"; }

"$bin" sweep "$small" --threads 1 --out "$tmp/single.csv" > "$tmp/single.txt" 2>/dev/null
mpi 2 "$bin" sweep "$small" --threads 1 --out "$tmp/mpi.csv" > "$tmp/mpi.txt" 2> "$tmp/err.txt" \
  && cmp -s "$tmp/single.csv" "$tmp/mpi.csv" && ok "mpirun -n 2: the single-process CSV byte for byte" \
  || { bad "mpirun -n 2: the single-process CSV byte for byte"; cat "$tmp/err.txt"; }
cmp -s "$tmp/single.txt" "$tmp/mpi.txt" && ok "mpirun -n 2: rank 0 prints the same report once" \
  || bad "mpirun -n 2: rank 0 prints the same report once"
mpi 3 "$bin" sweep "$small" --threads 1 --out "$tmp/mpi3.csv" > /dev/null 2>&1 && cmp -s "$tmp/single.csv" "$tmp/mpi3.csv" \
  && ok "mpirun -n 3: the same CSV" || bad "mpirun -n 3: the same CSV"
for k in 1 2; do mpi 2 "$bin" sweep "$small" --shard "$k/2" --out "$tmp/s$k.csv" > /dev/null 2>&1; done
"$bin" sweep --merge "$tmp/s1.csv" "$tmp/s2.csv" --out "$tmp/merged.csv" > /dev/null 2>&1 \
  && cmp -s "$tmp/single.csv" "$tmp/merged.csv" && ok "MPI shards merge to the same CSV" || bad "MPI shards merge to the same CSV"

finish
