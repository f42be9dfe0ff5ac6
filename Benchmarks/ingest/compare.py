#!/usr/bin/env python3
"""CSV ingest throughput, side by side in one run: `basketry ingest` vs pandas `read_csv`.

Usage (from the repository root, after `swift build -c release`):
    python3 -m venv /tmp/bench-venv && /tmp/bench-venv/bin/pip install pandas
    /tmp/bench-venv/bin/python Benchmarks/ingest/compare.py [--runs 3] [--file PATH]

Both read the gzip-compressed full UCI Online Retail file (541,909 rows). basketry's figure is the
whole process (start-up, gzip, RFC 4180 parsing, date and number parsing, and all cleaning rules);
pandas' is `read_csv` alone (gzip and parsing, no cleaning), timed inside Python, plus its whole
process. Rows per second use 541,909 rows for both. Median of --runs runs.
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


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--file", default=DEFAULT)
    parser.add_argument("--basketry", default=os.path.join(ROOT, ".build", "release", "basketry"))
    args = parser.parse_args()

    basketry = [timed([args.basketry, "ingest", "--quiet", args.file]) for _ in range(args.runs)]
    pandas_inner = []
    code = (
        "import pandas as pd, time, sys; t=time.perf_counter(); "
        "df=pd.read_csv(sys.argv[1], dtype={'InvoiceNo': str, 'StockCode': str}); "
        "print(time.perf_counter()-t, len(df))"
    )
    pandas_whole = []
    for _ in range(args.runs):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code, args.file], check=True, capture_output=True, text=True)
        pandas_whole.append(time.perf_counter() - start)
        seconds, rows = out.stdout.split()
        assert int(rows) == ROWS, rows
        pandas_inner.append(float(seconds))

    b = statistics.median(basketry)
    pi = statistics.median(pandas_inner)
    pw = statistics.median(pandas_whole)
    print(f"file: {args.file} ({ROWS:,} rows), median of {args.runs}")
    print(f"basketry ingest (whole process, parse + clean): {b:.3f} s  {ROWS / b:,.0f} rows/s")
    print(f"pandas read_csv (parse only, in-process):       {pi:.3f} s  {ROWS / pi:,.0f} rows/s")
    print(f"pandas (whole process incl. import):            {pw:.3f} s")
    print(f"ratio pandas read_csv / basketry whole process: {pi / b:.2f}x")


if __name__ == "__main__":
    main()
