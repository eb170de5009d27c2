#!/usr/bin/env bash
# ResNet-50 descriptor forward, images/s: cfcd (TorchSharp) next to Debian's PyTorch, interleaved in one run.
# Usage: bash scripts/bench_forward.sh [ROUNDS] [extra options for both, e.g. --sizes 224 --iterations 3]
# Needs python3-torch and python3-torchvision (apt-get install); prints each run, then the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"; shift || true
options=(--depth 50 --batch 8 --sizes 224,512 --threads 2 "$@")
dotnet build src/Cfcd.Cli -c Release -v quiet -nologo > /dev/null
log="$(mktemp)"
for round in $(seq "$rounds"); do
  echo "== round $round"
  dotnet src/Cfcd.Cli/bin/Release/net10.0/cfcd.dll bench forward "${options[@]}" --device cpu | sed 's/^/cfcd      /' | tee -a "$log"
  CFCD_MALLOC_TUNING=0 dotnet src/Cfcd.Cli/bin/Release/net10.0/cfcd.dll bench forward "${options[@]}" --device cpu | sed 's/^/untuned   /' | tee -a "$log"
  /usr/bin/python3 scripts/bench_forward.py "${options[@]}" | sed 's/^/pytorch   /' | tee -a "$log"
done
/usr/bin/python3 - "$log" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    match = re.match(r"(\S+)\s+(\d+)x\d+:\s+([\d.]+) img/s.*peak RSS ([\d,]+) MiB", line)
    if match:
        runs.setdefault((match[1], int(match[2])), []).append((float(match[3]), int(match[4].replace(",", ""))))
print("\nmedian img/s (peak RSS MiB) over rounds; ratio = cfcd / pytorch")
for size in sorted({size for _, size in runs}):
    cells = {who: runs[(who, size)] for who in ("cfcd", "untuned", "pytorch") if (who, size) in runs}
    medians = {who: statistics.median(v for v, _ in values) for who, values in cells.items()}
    rss = {who: max(r for _, r in values) for who, values in cells.items()}
    print(f"{size}x{size}: " + "  ".join(f"{who} {medians[who]:.2f} ({rss[who]})" for who in cells)
          + f"  ratio {medians['cfcd'] / medians['pytorch']:.2f}")
PY
