#!/usr/bin/env python3
"""Side-by-side benchmark: implicit's AlternatingLeastSquares on the Online Retail next-month split.

Writes the split (dense ids) for the Swift side and implicit's numbers:
  out/train.csv          user,item,strength   (strength = distinct train invoices with the item)
  out/test.csv           user,item            (dense train ids; test items never seen in train are dropped)
  out/orders_clean.csv   invoice,customer,unix_time,stock_code,quantity,unit_price (all cleaned lines)
  out/implicit_results.json

Split (shared/reference/ORACLES.md): drop invoices starting with C or A, quantity <= 0, price <= 0, missing
customer, stock codes not matching ^[0-9]{5}[A-Za-z]*$; train before 2011-11-09, test from then on; test
users = customers in both periods; rank all train items; target = distinct test items that exist in train
(items new to the catalog cannot be ranked; this gives the oracle's 1,394 / 1,287 users up to duplicates).
Variants: "all" (nothing masked, target = all distinct test items) and "new" (train items masked and
removed from the target; users with an empty target dropped).

Usage:  pip install implicit==0.7.3 scipy pandas
        OPENBLAS_NUM_THREADS=1 python3 Benchmarks/als/run_implicit.py [--data PATH] [--threads 2]
"""
import argparse
import json
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from implicit.als import AlternatingLeastSquares  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def load(path):
    df = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str})
    df = df[~df.InvoiceNo.str.startswith(("C", "A"))]
    df = df[(df.Quantity > 0) & (df.UnitPrice > 0) & df.CustomerID.notna()]
    df = df[df.StockCode.str.match(r"^[0-9]{5}[A-Za-z]*$")]
    df = df.copy()
    df["CustomerID"] = df.CustomerID.astype(int)
    df["ts"] = pd.to_datetime(df.InvoiceDate)
    return df


def metrics(recs, targets, masked_targets=None):
    """Mean recall@20 (hits/|T|), recall@20 (hits/min(|T|,20)) and NDCG@20 (binary gain, log2 discount)."""
    r1, r2, nd = [], [], []
    for u, target in targets.items():
        if not target:
            continue
        top = recs[u][:20]
        hits = [1.0 if i in target else 0.0 for i in top]
        h = sum(hits)
        r1.append(h / len(target))
        r2.append(h / min(len(target), 20))
        dcg = sum(g / np.log2(k + 2) for k, g in enumerate(hits))
        idcg = sum(1 / np.log2(k + 2) for k in range(min(len(target), 20)))
        nd.append(dcg / idcg)
    return {"users": len(r1), "recall@20": float(np.mean(r1)), "recall@20_capped": float(np.mean(r2)),
            "ndcg@20": float(np.mean(nd))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(HERE, "../../../shared/data/online-retail/online_retail.csv.gz"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--configs", default="binary,log5,linear1", help="comma-separated subset to run")
    ap.add_argument("--output", default="implicit_results.json", help="file name inside out/")
    args = ap.parse_args()
    out = os.path.join(HERE, "out")
    os.makedirs(out, exist_ok=True)

    df = load(args.data)
    df["unix"] = (df.ts - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1)
    df[["InvoiceNo", "CustomerID", "unix", "StockCode", "Quantity", "UnitPrice"]].to_csv(
        os.path.join(out, "orders_clean.csv"), index=False,
        header=["invoice", "customer", "unix_time", "stock_code", "quantity", "unit_price"])

    cut = pd.Timestamp("2011-11-09")
    train, test = df[df.ts < cut], df[df.ts >= cut]
    users = sorted(train.CustomerID.unique())
    items = sorted(train.StockCode.unique())
    uid = {u: k for k, u in enumerate(users)}
    iid = {i: k for k, i in enumerate(items)}
    strength = train.groupby(["CustomerID", "StockCode"]).InvoiceNo.nunique().reset_index()
    rows = strength.CustomerID.map(uid).values
    cols = strength.StockCode.map(iid).values
    vals = strength.InvoiceNo.values.astype(np.float32)
    pd.DataFrame({"user": rows, "item": cols, "strength": vals.astype(int)}).sort_values(["user", "item"]).to_csv(
        os.path.join(out, "train.csv"), index=False)
    R = sp.csr_matrix((vals, (rows, cols)), shape=(len(users), len(items)), dtype=np.float32)

    test = test[test.CustomerID.isin(uid)]
    pairs = test[["CustomerID", "StockCode"]].drop_duplicates()
    pairs = pd.DataFrame({"user": pairs.CustomerID.map(uid).values,
                          "item": pairs.StockCode.map(lambda s: iid.get(s, -1)).values})
    pairs = pairs[pairs.item >= 0]
    pairs.sort_values(["user", "item"]).to_csv(os.path.join(out, "test.csv"), index=False)
    all_targets = {u: set(g.item) for u, g in pairs.groupby("user")}
    train_sets = {u: set(R.indices[R.indptr[u]:R.indptr[u + 1]]) for u in all_targets}
    new_targets = {u: {i for i in t if i not in train_sets[u]} for u, t in all_targets.items()}
    print(f"train: {len(users)} users, {len(items)} items, {R.nnz} pairs; test users {len(all_targets)}; "
          f"new-item users {sum(1 for t in new_targets.values() if t)}")

    configs = {
        "binary": dict(values=np.ones_like(vals), note="64 f, reg 0.01, 15 it, binary (alpha 1)"),
        "log5": dict(values=1 + 5 * np.log1p(vals), note="64 f, reg 0.01, 15 it, C = 1 + 5 log(1 + r)"),
        "linear1": dict(values=vals, note="64 f, reg 0.01, 15 it, C = r (alpha 1)"),
    }
    results = {"threads": args.threads, "split": "online-retail next-month (2011-11-09)", "configs": {}}
    test_users = np.array(sorted(all_targets))
    wanted = args.configs.split(",")
    for name, cfg in configs.items():
        if name not in wanted:
            continue
        C = sp.csr_matrix((cfg["values"].astype(np.float32), (rows, cols)), shape=R.shape)
        times = []
        for rep in range(args.repeats):
            model = AlternatingLeastSquares(factors=64, regularization=0.01, iterations=15, alpha=1.0,
                                            random_state=42, num_threads=args.threads)
            t0 = time.perf_counter()
            model.fit(C, show_progress=False)
            times.append(time.perf_counter() - t0)
        ids_all, _ = model.recommend(test_users, C[test_users], N=20, filter_already_liked_items=False)
        ids_new, _ = model.recommend(test_users, C[test_users], N=20, filter_already_liked_items=True)
        rec_all = {u: list(r) for u, r in zip(test_users, ids_all)}
        rec_new = {u: list(r) for u, r in zip(test_users, ids_new)}
        res = {"note": cfg["note"], "fit_seconds": times, "fit_seconds_median": float(np.median(times)),
               "all": metrics(rec_all, all_targets), "new": metrics(rec_new, new_targets)}
        results["configs"][name] = res
        print(name, json.dumps(res))
    # Merge with earlier runs so a subset run keeps the other configurations' numbers.
    path = os.path.join(out, args.output)
    if os.path.exists(path):
        with open(path) as f:
            previous = json.load(f)
        previous.get("configs", {}).update(results["configs"])
        results["configs"] = previous.get("configs", results["configs"])
    with open(path, "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
