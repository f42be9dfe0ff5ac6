#!/usr/bin/env python3
"""Runs Basketry's FPGrowth, pyfim and mlxtend side by side (whole process, median of N runs).

    python3 run.py --bin PATH/TO/mining-bench [--data DIR] [--runs 3] [--skip-mlxtend] [--threads N]

Each tool runs as its own process; wall time covers start-up, file reading and mining. The tools print
their own read/mine split. Itemset counts must agree across tools, or the run fails.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser()
parser.add_argument("--bin", required=True)
parser.add_argument("--data", default=os.path.join(here, "..", "..", "..", "shared", "data"))
parser.add_argument("--runs", type=int, default=3)
parser.add_argument("--skip-mlxtend", action="store_true")
parser.add_argument("--threads", type=int, default=None)
args = parser.parse_args()

cases = [
    ("retail 0.1 %", os.path.join(args.data, "fimi-retail", "retail.dat"), "0.001"),
    ("retail 0.01 %", os.path.join(args.data, "fimi-retail", "retail.dat"), "0.0001"),
    ("groceries 0.1 %", os.path.join(args.data, "groceries", "groceries.csv"), "0.001"),
]


def tools(path, support):
    basketry = [args.bin, path, support] + (["--threads", str(args.threads)] if args.threads else [])
    yield "basketry", basketry
    yield "pyfim", [sys.executable, os.path.join(here, "pyfim_mine.py"), path, support]
    if not args.skip_mlxtend:
        yield "mlxtend", [sys.executable, os.path.join(here, "mlxtend_mine.py"), path, support]


def run(command):
    start = time.perf_counter()
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - start
    fields = dict(part.split("=", 1) for part in output.split())
    return wall, float(fields["read_s"]), float(fields["mine_s"]), int(fields["itemsets"])


print(f"{'case':16} {'tool':9} {'itemsets':>9} {'whole s':>8} {'read s':>8} {'mine s':>8}   (median of {args.runs})")
summary = []
for name, path, support in cases:
    medians = {}
    counts = set()
    for tool, command in tools(path, support):
        results = [run(command) for _ in range(args.runs)]
        wall, read, mine = (statistics.median(r[i] for r in results) for i in range(3))
        counts.update(r[3] for r in results)
        medians[tool] = wall
        print(f"{name:16} {tool:9} {results[0][3]:9d} {wall:8.3f} {read:8.3f} {mine:8.3f}")
    if len(counts) != 1:
        sys.exit(f"itemset counts differ for {name}: {sorted(counts)}")
    ratios = ", ".join(f"{medians[t] / medians['basketry']:.1f}× faster than {t}" for t in medians if t != "basketry")
    summary.append(f"{name}: basketry {ratios}")
print()
print("\n".join(summary))
