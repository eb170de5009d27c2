"""Summarises interleaved benchmark rounds: lines 'WHO  [SIZExSIZE:] N img/s ... peak RSS M MiB' from a log, medians per
runner (and size), and the ratio of the first runner to the last (cfcd / pytorch, cfcd / pillow).  Used by the
bench_*.sh drivers.

    /usr/bin/python3 scripts/bench_medians.py LOG
"""
import re
import statistics
import sys

runs = {}
order = []
for line in open(sys.argv[1]):
    match = re.match(r"(\S+)\s+(?:(\d+)x\d+:\s+)?([\d.]+) img/s.*peak RSS ([\d,]+) MiB", line)
    if match:
        who = match[1]
        if who not in order:
            order.append(who)
        runs.setdefault((who, int(match[2] or 0)), []).append((float(match[3]), int(match[4].replace(",", ""))))
print(f"\nmedian img/s (peak RSS MiB) over rounds; ratio = {order[0]} / {order[-1]}")
for size in sorted({size for _, size in runs}):
    cells = {who: runs[(who, size)] for who in order if (who, size) in runs}
    medians = {who: statistics.median(v for v, _ in values) for who, values in cells.items()}
    rss = {who: max(r for _, r in values) for who, values in cells.items()}
    label = f"{size}x{size}" if size else "all"
    print(f"{label}: " + "  ".join(f"{who} {medians[who]:.3f} ({rss[who]})" for who in cells)
          + f"  ratio {medians[list(cells)[0]] / medians[list(cells)[-1]]:.2f}")
