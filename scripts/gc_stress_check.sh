#!/usr/bin/env bash
# The garbage-collection stress check in full (README, "Native object lifetimes"): the smoke pipeline (synth, stage 1,
# score, stage 2, stage 2 with every DC-I-Net option, extract, eval) and the demo, once plainly and once with
# CFCD_GC_STRESS=1; weights, dictionaries, centres, scores, features and mAP must be bitwise the same. CI runs a
# short form (tests/Cfcd.Tests/Cli/GcStressTests.cs).
# Usage: bash scripts/gc_stress_check.sh [WORK_DIR]     (about 5 minutes on 2 cores; needs /usr/bin/python3)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Cfcd.Cli -c Release -v quiet -nologo > /dev/null
cfcd="$PWD/src/Cfcd.Cli/bin/Release/net10.0/cfcd.dll"
work="${1:-$(mktemp -d)}"
for mode in plain stress; do
  dir="$work/$mode"
  rm -rf "$dir" && mkdir -p "$dir" && cp -r configs "$dir/"
  (
    cd "$dir"
    export CFCD_GC_STRESS=$([ "$mode" = stress ] && echo 1 || echo 0)
    start=$(date +%s)
    dotnet "$cfcd" synth --out data/synth > /dev/null
    dotnet "$cfcd" train --config configs/smoke.yaml --out runs/smoke > /dev/null 2> runs.log
    dotnet "$cfcd" score --config configs/smoke.yaml --weights runs/smoke/checkpoints/last.ckpt \
      --out runs/smoke/scores.txt > /dev/null 2>> runs.log
    dotnet "$cfcd" train --config configs/smoke_stage2.yaml --out runs/smoke_stage2 > /dev/null 2>> runs.log
    dotnet "$cfcd" train --config configs/smoke_stage2.yaml --out runs/smoke_dcinet --set train.epochs=2 \
      --set loss.olp.enabled=true --set loss.olp.queue_size=256 --set loss.centers.enabled=true \
      --set loss.hep.enabled=true --set loss.hep.top_k=2 --set loss.hep.pool_size=12 \
      --set loss.hep.hard_classes=centers --set sampler.hard_negatives=centers > /dev/null 2>> runs.log
    dotnet "$cfcd" extract --weights runs/smoke_stage2/checkpoints/last.ckpt --dataset synth --data-root data/synth \
      --out runs/features > /dev/null 2>> runs.log
    dotnet "$cfcd" eval synth --features runs/features --data-root data/synth > runs/eval.txt 2>> runs.log
    dotnet "$cfcd" demo --out runs/demo > runs/demo.txt 2>> runs.log
    echo "$mode: $(( $(date +%s) - start )) s; $(grep -o 'CFCD_GC_STRESS=1: [0-9]* collections forced' runs.log \
      | awk '{s += $2} END {print s + 0}') forced collections"
  )
done
/usr/bin/python3 - "$work/plain" "$work/stress" <<'PY'
import json, struct, sys, pathlib
plain, stress = map(pathlib.Path, sys.argv[1:])
def tensors(path):
    data = path.read_bytes()
    size = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + size])
    body = data[8 + size:]
    return {k: body[v["data_offsets"][0]:v["data_offsets"][1]]
            for k, v in header.items() if k != "__metadata__"}
same = True
for relative in ["runs/smoke/checkpoints/last.ckpt", "runs/smoke_stage2/checkpoints/last.ckpt",
                 "runs/smoke_dcinet/checkpoints/last.ckpt",
                 "runs/demo/stage1/checkpoints/last.ckpt", "runs/demo/stage2/checkpoints/last.ckpt"]:
    a, b = tensors(plain / relative), tensors(stress / relative)
    differ = [k for k in a if a[k] != b.get(k)] + [k for k in b if k not in a]
    print(f"{relative}: {len(a)} tensors, {'identical' if not differ else 'DIFFER: ' + ', '.join(differ[:5])}")
    same &= not differ
for relative in ["runs/smoke/scores.txt", "runs/features/synth_query.npy", "runs/features/synth_db.npy",
                 "runs/eval.txt", "runs/demo.txt"]:
    equal = (plain / relative).read_bytes() == (stress / relative).read_bytes()
    print(f"{relative}: {'identical' if equal else 'DIFFERS'}")
    same &= equal
print("mAP (eval):", (plain / "runs/eval.txt").read_text().strip().splitlines()[-1])
sys.exit(0 if same else 1)
PY
