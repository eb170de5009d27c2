#!/usr/bin/env bash
# Training-pipeline images/s (decode 1024 x 768 JPEG, random-resized crop to 512, flip, PCA lighting, normalise into
# a batch tensor): cfcd (default full-size decode, then with data.jpeg_dct_scaling) next to the same pipeline in
# PyTorch + Pillow, interleaved in one run, 2 workers each.
# Usage: bash scripts/bench_pipeline.sh [ROUNDS] [IMAGE_DIR]   (needs python3-torch, python3-torchvision, python3-pil)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
images="${2:-/tmp/cfcd-bench-jpegs}"
[ -d "$images" ] || /usr/bin/python3 scripts/bench_pipeline.py make "$images" 256
dotnet build src/Cfcd.Cli -c Release -v quiet -nologo > /dev/null
log="$(mktemp)"
for round in $(seq "$rounds"); do
  echo "== round $round"
  dotnet src/Cfcd.Cli/bin/Release/net10.0/cfcd.dll bench pipeline --images "$images" --workers 2 --batch 32 \
      --count 768 | sed 's/^/cfcd    /' | tee -a "$log"
  dotnet src/Cfcd.Cli/bin/Release/net10.0/cfcd.dll bench pipeline --images "$images" --workers 2 --batch 32 \
      --count 768 --jpeg-dct-scaling | sed 's/^/cfcd-dct    /' | tee -a "$log"
  /usr/bin/python3 scripts/bench_pipeline.py run "$images" --workers 2 --batch 32 --count 768 \
      | sed 's/^/pillow  /' | tee -a "$log"
done
/usr/bin/python3 scripts/bench_medians.py "$log"
