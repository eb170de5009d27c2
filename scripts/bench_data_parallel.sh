#!/usr/bin/env bash
# Data-parallel scaling on this machine: the ResNet-50 stage-1 training step (81,313 classes, 224 x 224, global batch
# 8) as one process of 2 threads, then as 2 MPI ranks of 1 thread each (4 images each), with the all-reduce's share.
# Usage: bash scripts/bench_data_parallel.sh [ROUNDS] [ITERATIONS]   (needs openmpi-bin)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"
iterations="${2:-3}"
dotnet build src/Cfcd.Cli -c Release -v quiet -nologo > /dev/null
cfcd=src/Cfcd.Cli/bin/Release/net10.0/cfcd.dll
options=(bench train --depth 50 --sizes 224 --batch 8 --warmup 1 --iterations "$iterations" --device cpu)
lscpu | grep -E 'Model name|^CPU\(s\)'
for round in $(seq "$rounds"); do
  echo "== round $round"
  OMP_NUM_THREADS=2 dotnet "$cfcd" "${options[@]}" --threads 2 | sed 's/^/1 x 2 threads  /'
  OMPI_MCA_btl_vader_single_copy_mechanism=none mpirun --allow-run-as-root --oversubscribe --bind-to none -np 2 \
      -x OMP_NUM_THREADS=1 dotnet "$cfcd" "${options[@]}" --threads 1 | sed 's/^/2 x 1 thread   /'
done
