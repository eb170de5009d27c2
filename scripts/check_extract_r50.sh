#!/usr/bin/env bash
# ResNet-50 CFCD checkpoint: cfcd extract against PyTorch (needs Debian's python3-torch, python3-torchvision,
# python3-pil). Usage: bash scripts/check_extract_r50.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
python=/usr/bin/python3
$python scripts/check_extract_r50.py prepare "$work"
dotnet build src/Cfcd.Cli -c Release -v quiet -nologo > /dev/null
cfcd="dotnet src/Cfcd.Cli/bin/Release/net10.0/cfcd.dll"
$cfcd extract --weights "$work/cfcd_r50.pyth" --images "$work/list.txt" --scales 1 --out "$work/cfcd_single.npy" --device cpu
$cfcd extract --weights "$work/cfcd_r50.pyth" --images "$work/list.txt" --out "$work/cfcd_multi.npy" --device cpu
$python scripts/check_extract_r50.py compare "$work"
