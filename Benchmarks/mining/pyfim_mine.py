#!/usr/bin/env python3
"""pyfim (Borgelt's C FP-Growth) on a basket file: prints `itemsets=N read_s=… mine_s=…`.

    python3 pyfim_mine.py FILE SUPPORT      # SUPPORT relative, e.g. 0.001
FIMI .dat files are split on whitespace, other files on commas.
"""
import math
import sys
import time

import fim

path, support = sys.argv[1], float(sys.argv[2])
start = time.perf_counter()
with open(path, encoding="utf-8") as f:
    if path.endswith(".dat"):
        tracts = [line.split() for line in f]
    else:
        tracts = [line.rstrip("\r\n").split(",") for line in f]
tracts = [t for t in tracts if t]
read = time.perf_counter() - start

# Absolute minimum count ceil(support * n), epsilon-safe, passed as a negative number (= absolute).
product = support * len(tracts)
min_count = max(1, round(product) if abs(product - round(product)) <= 1e-9 * max(1.0, product) else math.ceil(product))
start = time.perf_counter()
result = fim.fpgrowth(tracts, target="s", supp=-min_count, zmin=1)
mine = time.perf_counter() - start
print(f"itemsets={len(result)} read_s={read} mine_s={mine}")
