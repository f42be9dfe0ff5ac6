#!/usr/bin/env python3
"""CSV ingest throughput, side by side in one run: Basketry vs pandas `read_csv`.

Usage (from the repository root, after `swift build -c release`; needs `pip install pandas`):
    python3 Benchmarks/ingest/compare.py [--runs 3] [--file PATH]

Both read the gzip-compressed full UCI Online Retail file (541,909 rows), each timed in-process
(median of --runs):
- `basketry bench ingest`: "parse" = gzip + RFC 4180 tokenising + converting every numeric-looking
  field to a number (the work read_csv does by default); "ingest" = the whole `Ingest.load`: parse,
  date parsing, every cleaning rule, and building the columnar dataset.
- pandas: `read_csv` (gzip + parsing + type inference), no cleaning.
Whole-process times (start-up included) are printed too.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT = os.path.join(os.path.dirname(ROOT), "shared", "data", "online-retail", "online_retail.csv.gz")
ROWS = 541_909


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--file", default=DEFAULT)
    parser.add_argument("--basketry", default=os.path.join(ROOT, ".build", "release", "basketry"))
    args = parser.parse_args()

    start = time.perf_counter()
    out = subprocess.run([args.basketry, "bench", "ingest", "--repeat", str(args.runs), args.file],
                         check=True, capture_output=True, text=True).stdout
    basketry_whole = time.perf_counter() - start
    timings = {}
    for line in out.splitlines():
        name, *fields = line.split()
        values = dict(f.split("=") for f in fields)
        timings[name] = float(values["seconds"])
        assert int(values["rows"]) == ROWS, line

    code = (
        "import pandas as pd, time, sys\n"
        "ts=[]\n"
        "for _ in range(int(sys.argv[2])):\n"
        "  t=time.perf_counter(); df=pd.read_csv(sys.argv[1]); ts.append(time.perf_counter()-t)\n"
        "ts.sort(); print(ts[len(ts)//2], len(df))"
    )
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code, args.file, str(args.runs)], check=True,
                            capture_output=True, text=True).stdout.split()
    pandas_whole = time.perf_counter() - start
    pandas_seconds, rows = float(result[0]), int(result[1])
    assert rows == ROWS, rows

    print(f"file: {args.file} ({ROWS:,} rows), median of {args.runs}, in-process")
    print(f"basketry parse  (gzip, tokenise, numbers):     {timings['parse']:.3f} s  {ROWS / timings['parse']:>12,.0f} rows/s")
    print(f"basketry ingest (parse, dates, clean, build):  {timings['ingest']:.3f} s  {ROWS / timings['ingest']:>12,.0f} rows/s")
    print(f"pandas read_csv (gzip, tokenise, types):       {pandas_seconds:.3f} s  {ROWS / pandas_seconds:>12,.0f} rows/s")
    print(f"ratio: basketry parse is {pandas_seconds / timings['parse']:.2f}x pandas read_csv; "
          f"full ingest with cleaning is {pandas_seconds / timings['ingest']:.2f}x")
    print(f"whole processes ({args.runs} runs each + start-up): basketry {basketry_whole:.2f} s, pandas {pandas_whole:.2f} s")


if __name__ == "__main__":
    main()
