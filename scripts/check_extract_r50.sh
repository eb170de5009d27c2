#!/usr/bin/env bash
# ResNet-50 CFCD training checkpoints (zip, legacy): cfcd extract and import-weights against PyTorch
# (needs Debian's python3-torch, python3-torchvision, python3-pil). Usage: bash scripts/check_extract_r50.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
python=/usr/bin/python3
$python scripts/check_extract_r50.py prepare "$work"
dotnet build src/Cfcd.Cli -c Release -v quiet -nologo > /dev/null
cfcd="dotnet src/Cfcd.Cli/bin/Release/net10.0/cfcd.dll"
for checkpoint in cfcd_r50 cfcd_r50_legacy; do
  $cfcd extract --weights "$work/$checkpoint.pyth" --images "$work/list.txt" --scales 1 \
    --out "$work/${checkpoint}_single.npy" --device cpu
  $cfcd import-weights --from "$work/$checkpoint.pyth" --out "$work/$checkpoint.safetensors"
  $cfcd extract --weights "$work/$checkpoint.safetensors" --images "$work/list.txt" \
    --out "$work/${checkpoint}_multi.npy" --device cpu
done
$python scripts/check_extract_r50.py compare "$work"
