#!/usr/bin/env bash
# DC-I-Net's options against MadaCos alone on the synthetic set, at the same seeds and budget: configs/smoke.yaml
# (stage 1, ten epochs) on 100 classes of 8 views (30 queries, 300 database images), then cfcd extract and cfcd eval
# synth. Prints, per variant, the mean Easy / Medium / Hard mAP over the seeds and the median training images/s. The
# last two variants weigh the on-line pairing loss 0.1 instead of 1.
# Usage: bash scripts/ablation_dcinet.sh [WORK_FOLDER] [SEEDS...]   (default /tmp/cfcd-ablation, seeds 1 2 3)
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-/tmp/cfcd-ablation}"
shift || true
seeds=(1 2 3)
[ $# -gt 0 ] && seeds=("$@")
dotnet build src/Cfcd.Cli -c Release -v quiet -nologo > /dev/null
cfcd() { dotnet src/Cfcd.Cli/bin/Release/net10.0/cfcd.dll "$@"; }
lscpu | grep -E 'Model name|^CPU\(s\)'
data="$work/data"
[ -f "$data/train_list.txt" ] ||
  cfcd synth --out "$data" --classes 100 --train-per-class 8 --queries 30 --db 300 > /dev/null

declare -A variants=(
  [1-madacos]=""
  [2-olp]="loss.olp.enabled=true loss.olp.queue_size=1024"
  [3-hep]="loss.hep.enabled=true loss.hep.top_k=2 loss.hep.pool_size=40"
  [4-centers]="loss.centers.enabled=true"
  [5-all]="loss.olp.enabled=true loss.olp.queue_size=1024 loss.centers.enabled=true loss.hep.enabled=true
           loss.hep.top_k=2 loss.hep.pool_size=40 loss.hep.hard_classes=centers"
  [6-olp-w0.1]="loss.olp.enabled=true loss.olp.queue_size=1024 loss.olp.weight=0.1"
  [7-all-olp-w0.1]="loss.olp.enabled=true loss.olp.queue_size=1024 loss.olp.weight=0.1 loss.centers.enabled=true
           loss.hep.enabled=true loss.hep.top_k=2 loss.hep.pool_size=40 loss.hep.hard_classes=centers"
)
for name in $(printf '%s\n' "${!variants[@]}" | sort); do
  for seed in "${seeds[@]}"; do
    run="$work/$name-seed$seed"
    sets=(--set "train.seed=$seed" --set "data.root=$data" --set "data.train_list=$data/train_list.txt"
          --set "data.val_list=$data/val_list.txt")
    for assignment in ${variants[$name]}; do sets+=(--set "$assignment"); done
    [ -f "$run/eval.json" ] && continue
    cfcd train --config configs/smoke.yaml "${sets[@]}" --out "$run" > "$run.log" 2>&1
    cfcd extract --weights "$run/checkpoints/last.ckpt" --dataset synth --device cpu \
        --data-root "$data" --out "$run/features" >> "$run.log" 2>&1
    cfcd eval synth --features "$run/features" --data-root "$data" --json "$run/eval.json" >> "$run.log" 2>&1
  done
done
python3 - "$work" "${seeds[@]}" <<'PY'
import csv, json, statistics, sys, glob, os
work, seeds = sys.argv[1], sys.argv[2:]
print(f"{'variant':<13} {'Easy':>6} {'Medium':>6} {'Hard':>6}  {'img/s':>6}   (mean mAP over seeds {' '.join(seeds)})")
runs = glob.glob(f"{work}/*-seed*/eval.json")
for name in sorted({os.path.basename(os.path.dirname(p)).rsplit('-seed', 1)[0] for p in runs}):
    maps, speeds = [], []
    for seed in seeds:
        run = f"{work}/{name}-seed{seed}"
        scores = json.load(open(f"{run}/eval.json"))
        maps.append([scores["mAP"][level] for level in ("easy", "medium", "hard")])
        rows = [row for row in csv.DictReader(open(f"{run}/metrics.csv")) if row["phase"] == "train"]
        speeds.append(statistics.median(float(row["images_per_s"]) for row in rows[1:]))
    mean = [statistics.mean(column) for column in zip(*maps)]
    print(f"{name[2:]:<13} {mean[0]:6.2f} {mean[1]:6.2f} {mean[2]:6.2f}  {statistics.median(speeds):6.0f}")
PY
