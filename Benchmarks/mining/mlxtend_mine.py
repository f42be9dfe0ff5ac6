#!/usr/bin/env python3
"""mlxtend 0.25.0 fpgrowth (sparse one-hot input) on a basket file: prints `itemsets=N read_s=… mine_s=…`.

    python3 mlxtend_mine.py FILE SUPPORT [--dense]
read_s covers reading and one-hot encoding (TransactionEncoder); mine_s is fpgrowth itself.
"""
import sys
import time

import pandas as pd
from mlxtend.frequent_patterns import fpgrowth
from mlxtend.preprocessing import TransactionEncoder

path, support = sys.argv[1], float(sys.argv[2])
dense = "--dense" in sys.argv[3:]
start = time.perf_counter()
with open(path, encoding="utf-8") as f:
    if path.endswith(".dat"):
        tracts = [line.split() for line in f]
    else:
        tracts = [line.rstrip("\r\n").split(",") for line in f]
tracts = [t for t in tracts if t]
encoder = TransactionEncoder()
if dense:
    frame = pd.DataFrame(encoder.fit(tracts).transform(tracts), columns=encoder.columns_)
else:
    matrix = encoder.fit(tracts).transform(tracts, sparse=True)
    frame = pd.DataFrame.sparse.from_spmatrix(matrix, columns=encoder.columns_)
read = time.perf_counter() - start
start = time.perf_counter()
result = fpgrowth(frame, min_support=support)
mine = time.perf_counter() - start
print(f"itemsets={len(result)} read_s={read} mine_s={mine}")
