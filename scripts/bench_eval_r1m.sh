#!/usr/bin/env bash
# Benchmark (not a test): time and peak memory of a full ROxford + 1M evaluation with `cfcd eval`:
# 70 queries, 4993 database and 1,001,001 distractor descriptors of 512 floats (random, L2-normalised).
# Needs Debian's python3-numpy to write the features (apt-get install python3-numpy) and ~2.1 GB in WORK.
#
#   scripts/bench_eval_r1m.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/cfcd-bench-eval}
gnd=${GND:-tests/Cfcd.Tests/Fixtures/Revisitop/gnd_roxford5k.pkl}
mkdir -p "$work"

if [ ! -f "$work/revisitop1m.npy" ]; then
  /usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np
work = sys.argv[1]
rng = np.random.default_rng(0)
def unit(n):
    x = rng.standard_normal((n, 512), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x
np.save(f"{work}/roxford5k_query.npy", unit(70))
np.save(f"{work}/roxford5k_db.npy", unit(4993))
out = np.lib.format.open_memmap(f"{work}/revisitop1m.npy", mode="w+", dtype=np.float32, shape=(1001001, 512))
for start in range(0, 1001001, 100000):
    n = min(100000, 1001001 - start)
    out[start:start + n] = unit(n)
out.flush()
PY
fi

dotnet build src/Cfcd.Cli -c Release -v q -nologo >/dev/null
features_bytes=$(( $(stat -c %s "$work/roxford5k_db.npy") + $(stat -c %s "$work/revisitop1m.npy") ))
echo "feature bytes: $features_bytes ($(( features_bytes / 1048576 )) MiB)"
cat "$work"/*.npy > /dev/null   # warm the page cache: measure evaluation, not the disk
for run in 1 2 3; do
  /usr/bin/time -f "run $run: wall %e s, user %U s, sys %S s, peak RSS %M KiB" \
    dotnet src/Cfcd.Cli/bin/Release/net10.0/cfcd.dll eval roxford5k --features "$work" \
        --distractors "$work/revisitop1m.npy" --gnd "$gnd" 2>&1 \
    | grep -v '^eval: '
done
