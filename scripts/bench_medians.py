"""Summarises interleaved benchmark rounds: lines 'WHO  SIZExSIZE: N img/s ... peak RSS M MiB' from a log, medians per
runner and size, and the ratio cfcd / pytorch.  Used by bench_forward.sh and bench_train.sh.

    /usr/bin/python3 scripts/bench_medians.py LOG
"""
import re
import statistics
import sys

runs = {}
order = []
for line in open(sys.argv[1]):
    match = re.match(r"(\S+)\s+(\d+)x\d+:\s+([\d.]+) img/s.*peak RSS ([\d,]+) MiB", line)
    if match:
        who = match[1]
        if who not in order:
            order.append(who)
        runs.setdefault((who, int(match[2])), []).append((float(match[3]), int(match[4].replace(",", ""))))
print("\nmedian img/s (peak RSS MiB) over rounds; ratio = cfcd / pytorch")
for size in sorted({size for _, size in runs}):
    cells = {who: runs[(who, size)] for who in order if (who, size) in runs}
    medians = {who: statistics.median(v for v, _ in values) for who, values in cells.items()}
    rss = {who: max(r for _, r in values) for who, values in cells.items()}
    print(f"{size}x{size}: " + "  ".join(f"{who} {medians[who]:.2f} ({rss[who]})" for who in cells)
          + f"  ratio {medians['cfcd'] / medians['pytorch']:.2f}")
