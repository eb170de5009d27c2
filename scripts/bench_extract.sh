#!/usr/bin/env bash
# Multi-scale extraction (ResNet-50, 5 scales, 1024 x 768 JPEGs at original size), images/s: cfcd next to the same
# network and scales in Debian's PyTorch (DataLoader + Pillow), interleaved in one run, 2 decode workers each.
# Usage: bash scripts/bench_extract.sh [ROUNDS] [IMAGE_DIR] [COUNT]
# (needs python3-torch, python3-torchvision, python3-pil)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
images="${2:-/tmp/cfcd-bench-jpegs}"
count="${3:-8}"
[ -d "$images" ] || /usr/bin/python3 scripts/bench_pipeline.py make "$images" 256
dotnet build src/Cfcd.Cli -c Release -v quiet -nologo > /dev/null
log="$(mktemp)"
for round in $(seq "$rounds"); do
  echo "== round $round"
  dotnet src/Cfcd.Cli/bin/Release/net10.0/cfcd.dll bench extract --images "$images" --count "$count" \
      --workers 2 --threads 2 --device cpu | sed 's/^/cfcd      /' | tee -a "$log"
  /usr/bin/python3 scripts/bench_extract.py --images "$images" --count "$count" --workers 2 --threads 2 \
      | sed 's/^/pytorch   /' | tee -a "$log"
done
/usr/bin/python3 scripts/bench_medians.py "$log"
