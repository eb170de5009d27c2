#!/usr/bin/env bash
# Stage-1 training step (ResNet-50 + head, MadaCos, backward, Nesterov SGD), images/s: cfcd (TorchSharp) next to
# Debian's PyTorch, interleaved in one run.
# Usage: bash scripts/bench_train.sh [ROUNDS] [extra options for both, e.g. --classes 1000 --iterations 3]
# Needs python3-torch and python3-torchvision (apt-get install); prints each run, then the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"; shift || true
source scripts/_bench_options.sh
bench_options --depth 50 --batch 8 --sizes 224 --classes 81313 --threads 2 -- "$@"
dotnet build src/Cfcd.Cli -c Release -v quiet -nologo > /dev/null
log="$(mktemp)"
for round in $(seq "$rounds"); do
  echo "== round $round"
  dotnet src/Cfcd.Cli/bin/Release/net10.0/cfcd.dll bench train "${options[@]}" --device cpu \
      | sed 's/^/cfcd      /' | tee -a "$log"
  /usr/bin/python3 scripts/bench_train.py "${options[@]}" | sed 's/^/pytorch   /' | tee -a "$log"
done
/usr/bin/python3 scripts/bench_medians.py "$log"
