#!/usr/bin/env python3
"""Independent numpy reference for TIFU-KNN on UCI Online Retail, next-month split.

Written from the paper (Hu, He, Gao & Zhang, "Modeling Personalized Item Frequency
Information for Next-basket Recommendation", SIGIR 2020), not from Basketry's Swift code:

* a user's baskets b_1..b_n (oldest first, binary item vectors) are cut into k = ceil(n/m)
  groups of m consecutive baskets counted back from the newest, the oldest group taking
  the remainder;
* a group of x baskets is g = (1/x) sum_j rb^(x-j) b_j, the user vector
  v = (1/k) sum_i rg^(k-i) g_i;
* the `neighbours` users nearest to v (Euclidean, or cosine) -- never the user -- give
  p = alpha v + (1 - alpha) mean(neighbour vectors).

Protocol (as `basketry evaluate --split temporal --cutoff DATE`): the input is the cleaned order lines
`basketry ingest --output clean.csv` writes (order,user,item,title,time,...), so both sides see the same
cleaning; `--raw` reads the UCI file with the simpler cleaning of /work/shared/reference/ORACLES.md instead
(invoices starting with C or A, quantity <= 0, price <= 0, missing customer, stock codes not matching
^[0-9]{5}[A-Za-z]*$ dropped). Lines without a customer are ignored. Train = orders before the cut-off
(UTC midnight), test = from it on. Rank every item seen in train; targets = distinct test items seen in
train (minus the user's train items with --new-items, which also masks them); users = customers with train
history and a target. Ties in a ranking go to the item seen first in the file. Recall@K = hits/|targets|;
NDCG@K binary gain, log2 discount, ideal over min(|targets|, K).
"""
import argparse
import csv
import datetime as dt
import gzip
import re

import numpy as np

STOCK = re.compile(r"^[0-9]{5}[A-Za-z]*$")


def load_clean(path):
    """Rows of `basketry ingest --output` as (order, item, customer, unix time), in file order."""
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            t = dt.datetime.strptime(r["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
            rows.append((r["order"], r["item"], r["user"], int(t.timestamp())))
    return rows


def load_raw(path):
    """Cleaned rows as (invoice, item, customer, unix time), in file order."""
    opener = gzip.open if path.endswith(".gz") else open
    rows = []
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as f:
        for r in csv.DictReader(f):
            inv = r["InvoiceNo"].strip()
            if inv[:1] in ("C", "c", "A", "a"):
                continue
            try:
                q = float(r["Quantity"])
                p = float(r["UnitPrice"])
            except ValueError:
                continue
            cust = r["CustomerID"].strip()
            if cust.endswith(".0"):
                cust = cust[:-2]
            code = r["StockCode"].strip()
            if q <= 0 or p <= 0 or not cust or not STOCK.match(code):
                continue
            t = dt.datetime.strptime(r["InvoiceDate"].strip(), "%Y-%m-%d %H:%M:%S")
            rows.append((inv, code, cust, int(t.replace(tzinfo=dt.timezone.utc).timestamp())))
    return rows


def user_vector(baskets, n_items, m, rb, rg):
    """v = (1/k) sum_i rg^(k-i) (1/x_i) sum_j rb^(x_i-j) b_ij for baskets oldest first."""
    v = np.zeros(n_items)
    n = len(baskets)
    if n == 0:
        return v
    k = -(-n // m)
    sizes = [n - (k - 1) * m] + [m] * (k - 1)
    start = 0
    for i, x in enumerate(sizes, start=1):
        for j in range(1, x + 1):
            w = rg ** (k - i) / k * rb ** (x - j) / x
            v[list(baskets[start + j - 1])] += w
        start += x
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", help="basketry ingest --output CSV (or the UCI file with --raw)")
    ap.add_argument("--raw", action="store_true", help="read the UCI Online Retail file itself")
    ap.add_argument("--cutoff", default="2011-11-09")
    ap.add_argument("--neighbours", type=int, default=300)
    ap.add_argument("--group-size", type=int, default=7)
    ap.add_argument("--within-decay", type=float, default=0.9)
    ap.add_argument("--group-decay", type=float, default=0.7)
    ap.add_argument("--alpha", type=float, default=0.7)
    ap.add_argument("--distance", choices=["euclidean", "cosine"], default="euclidean")
    ap.add_argument("--new-items", action="store_true")
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--rankings", help="a `basketry evaluate --rankings` TSV: evaluate only its users and "
                    "report how many top-K lists are equal")
    a = ap.parse_args()

    cut = int(dt.datetime.strptime(a.cutoff, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc).timestamp())
    rows = load_raw(a.csv) if a.raw else load_clean(a.csv)
    order_of_items = {}
    for _, code, _, _ in rows:  # tie order: first appearance in the file
        order_of_items.setdefault(code, len(order_of_items))
    rows = [r for r in rows if r[2]]
    train = [r for r in rows if r[3] < cut]
    test = [r for r in rows if r[3] >= cut]

    users = {}
    for _, _, cust, _ in train:
        users.setdefault(cust, len(users))
    items = {code: n for n, code in enumerate(sorted({r[1] for r in train}, key=order_of_items.get))}
    # Orders: distinct items per invoice, each user's invoices by (time, first appearance).
    orders = {}
    for pos, (inv, code, cust, t) in enumerate(train):
        o = orders.setdefault(inv, [cust, t, pos, set()])
        o[3].add(items[code])
    per_user = [[] for _ in users]
    for cust, t, pos, its in orders.values():
        per_user[users[cust]].append((t, pos, its))
    V = np.zeros((len(users), len(items)))
    for u, os_ in enumerate(per_user):
        os_.sort(key=lambda o: (o[0], o[1]))
        V[u] = user_vector([o[2] for o in os_], len(items), a.group_size, a.within_decay, a.group_decay)
    seen = V > 0

    targets = {}
    for _, code, cust, _ in test:
        if cust in users and code in items:
            targets.setdefault(users[cust], set()).add(items[code])
    if a.new_items:
        targets = {u: {i for i in t if not seen[u, i]} for u, t in targets.items()}
    test_users = sorted(u for u, t in targets.items() if t)
    user_names = {n: c for c, n in users.items()}
    theirs = {}
    if a.rankings:
        with open(a.rankings) as f:
            for line in f:
                user, _, ranked = line.rstrip("\n").partition("\t")
                theirs[user] = ranked.split(",")[: a.k] if ranked else []
        test_users = [u for u in test_users if user_names[u] in theirs]

    item_names = {n: c for c, n in items.items()}
    norms = (V * V).sum(axis=1)
    same = 0
    recall = ndcg = 0.0
    discounts = 1 / np.log2(np.arange(2, a.k + 2))
    for u in test_users:
        dots = V @ V[u]
        if a.distance == "euclidean":
            bad = norms[u] + norms - 2 * dots
        else:
            denom = np.sqrt(norms[u] * norms)
            bad = -np.divide(dots, denom, out=np.zeros_like(dots), where=denom > 0)
        bad[u] = np.inf
        bad[norms == 0] = np.inf
        order = np.argsort(bad, kind="stable")[: min(a.neighbours, int(np.isfinite(bad).sum()))]
        p = a.alpha * V[u] + (1 - a.alpha) * V[order].mean(axis=0)
        if a.new_items:
            p[seen[u]] = -np.inf
        top = np.argsort(-p, kind="stable")[: a.k]
        if theirs:
            same += [item_names[i] for i in top] == theirs[user_names[u]]
        t = targets[u]
        hits = np.array([i in t for i in top])
        recall += hits.sum() / len(t)
        ndcg += (discounts[: len(hits)] * hits).sum() / discounts[: min(len(t), a.k)].sum()
    n = len(test_users)
    print(f"users {n}  items {len(items)}  recall@{a.k} {recall / n:.4f}  ndcg@{a.k} {ndcg / n:.4f}")
    if theirs:
        print(f"identical top-{a.k} lists: {same} of {n}")


if __name__ == "__main__":
    main()
