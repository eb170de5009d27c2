#!/usr/bin/env bash
# ResNet-50 descriptor forward, images/s: cfcd (TorchSharp) next to Debian's PyTorch, interleaved in one run.
# Usage: bash scripts/bench_forward.sh [ROUNDS] [extra options for both, e.g. --sizes 224 --iterations 3]
# Needs python3-torch and python3-torchvision (apt-get install); prints each run, then the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"; shift || true
source scripts/_bench_options.sh
bench_options --depth 50 --batch 8 --sizes 224,512 --threads 2 -- "$@"
dotnet build src/Cfcd.Cli -c Release -v quiet -nologo > /dev/null
log="$(mktemp)"
for round in $(seq "$rounds"); do
  echo "== round $round"
  dotnet src/Cfcd.Cli/bin/Release/net10.0/cfcd.dll bench forward "${options[@]}" --device cpu \
      | sed 's/^/cfcd      /' | tee -a "$log"
  CFCD_MALLOC_TUNING=0 dotnet src/Cfcd.Cli/bin/Release/net10.0/cfcd.dll bench forward "${options[@]}" --device cpu \
      | sed 's/^/untuned   /' | tee -a "$log"
  /usr/bin/python3 scripts/bench_forward.py "${options[@]}" | sed 's/^/pytorch   /' | tee -a "$log"
done
/usr/bin/python3 scripts/bench_medians.py "$log"
