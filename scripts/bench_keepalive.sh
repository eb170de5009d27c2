#!/usr/bin/env bash
# What the TorchSharp keep-alive rewrite costs (README, "Native object lifetimes"): `cfcd bench forward` and
# `cfcd bench train` with the rewritten TorchSharp.dll (as built) and with the package's own, interleaved in one run.
# Usage: bash scripts/bench_keepalive.sh [ROUNDS] ; prints each run, then the medians (ratio = rewritten / pristine).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
dotnet build src/Cfcd.Cli -c Release -v quiet -nologo > /dev/null
built=src/Cfcd.Cli/bin/Release/net10.0
pristine="$(mktemp -d)"
trap 'rm -rf "$pristine"' EXIT
# The same application with the package's TorchSharp.dll: small files copied, large ones and folders linked.
for entry in "$built"/*; do
  if [ -d "$entry" ] || [ "$(stat -c %s "$entry")" -gt 16777216 ]; then
    ln -s "$(realpath "$entry")" "$pristine/"
  else
    cp "$entry" "$pristine/"
  fi
done
cp "${NUGET_PACKAGES:-$HOME/.nuget/packages}/torchsharp/0.107.0/lib/net8.0/TorchSharp.dll" "$pristine/TorchSharp.dll"
forward=(bench forward --depth 50 --batch 8 --sizes 224 --threads 2 --iterations 5 --device cpu)
train=(bench train --depth 50 --batch 8 --sizes 224 --classes 1000 --threads 2 --iterations 3 --device cpu)
for kind in forward train; do
  log="$(mktemp)"
  declare -n command="$kind"
  for round in $(seq "$rounds"); do
    echo "== $kind, round $round"
    dotnet "$built/cfcd.dll" "${command[@]}" 2>/dev/null | grep img/s | sed 's/^/rewritten /' | tee -a "$log"
    dotnet "$pristine/cfcd.dll" "${command[@]}" 2>/dev/null | grep img/s | sed 's/^/pristine  /' | tee -a "$log"
  done
  /usr/bin/python3 scripts/bench_medians.py "$log"
done
