"""Simulated BG/NBD + Gamma-Gamma data fitted with lifetimes 0.11.3: the parameter-match fixture.

2,000 customers, ages T uniform on 1..52 weeks, purchases from BG/NBD(r=0.24, alpha=4.41, a=0.79,
b=2.43) (lifetimes.generate_data, numpy seed 14), spend per repeat purchase from
Gamma-Gamma(p=6, q=4, v=15). Writes the customers and lifetimes' fits (BG/NBD without and with an
L2 penaliser, Pareto/NBD, Gamma-Gamma) with a few per-customer predictions.
"""
import json, sys
import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, ParetoNBDFitter, GammaGammaFitter
from lifetimes.generate_data import beta_geometric_nbd_model

out = sys.argv[1] if len(sys.argv) > 1 else "Tests/BasketryCustomersTests/Fixtures/simulated-lifetimes.json"
np.random.seed(14)
n = 2000
T = np.random.randint(1, 53, size=n).astype(float)
data = beta_geometric_nbd_model(T, 0.24, 4.41, 0.79, 2.43, size=n)
x, tx = data.frequency.values.astype(float), np.round(data.recency.values, 6)
nu = np.random.gamma(4.0, 1.0 / 15.0, size=n)
m = np.array([np.random.gamma(6.0, 1.0 / nu[i], size=int(k)).mean() if k > 0 else 0.0 for i, k in enumerate(x)])
m = np.round(m, 6)

res = {"truth": {"r": 0.24, "alpha": 4.41, "a": 0.79, "b": 2.43, "p": 6.0, "q": 4.0, "v": 15.0},
       "customers": {"frequency": x.tolist(), "recency": tx.tolist(), "T": T.tolist(), "monetary": m.tolist()}}
probe = list(range(10))
H = 10.0

def bg(pen):
    f = BetaGeoFitter(penalizer_coef=pen).fit(x, tx, T, tol=1e-10)
    return {"penalizer": pen, "params": {k: float(v) for k, v in f.params_.items()},
            "expected_purchases_10": [float(v) for v in f.conditional_expected_number_of_purchases_up_to_time(H, x[probe], tx[probe], T[probe])],
            "p_alive": [float(v) for v in f.conditional_probability_alive(x[probe], tx[probe], T[probe])],
            "unconditional_10": float(f.expected_number_of_purchases_up_to_time(H))}

res["bgnbd"] = bg(0.0)
res["bgnbd_penalized"] = bg(0.1)
best = None
for start in ([0.3, 4.0, 0.5, 5.0], [0.2, 5.0, 1.0, 10.0]):
    scaled = np.array(start) * np.array([1, 1 / T.max(), 1, 1 / T.max()])
    f = ParetoNBDFitter(penalizer_coef=0.0).fit(x, tx, T, initial_params=scaled, maxiter=200000,
                                                xatol=1e-12, fatol=1e-12)
    if best is None or f._negative_log_likelihood_ < best._negative_log_likelihood_:
        best = f
pn = best
res["paretonbd"] = {"penalizer": 0.0, "params": {k: float(v) for k, v in pn.params_.items()},
                    "expected_purchases_10": [float(v) for v in pn.conditional_expected_number_of_purchases_up_to_time(H, x[probe], tx[probe], T[probe])],
                    "p_alive": [float(v) for v in pn.conditional_probability_alive(x[probe], tx[probe], T[probe])]}
rep = x > 0
gg = GammaGammaFitter(penalizer_coef=0.0).fit(x[rep], m[rep])
bgf = BetaGeoFitter(penalizer_coef=0.0).fit(x, tx, T, tol=1e-10)
S = lambda a: pd.Series(a[probe])
clv = gg.customer_lifetime_value(bgf, S(x), S(tx), S(T), S(m), time=12, discount_rate=0.01, freq="W")
res["gammagamma"] = {"params": {k: float(v) for k, v in gg.params_.items()},
                     "expected_spend": [float(v) for v in gg.conditional_expected_average_profit(x[probe], m[probe])],
                     "clv_12_months_1pct_weekly": [float(v) for v in clv]}
with open(out, "w") as fh:
    json.dump(res, fh)
print(json.dumps({k: v for k, v in res.items() if k != "customers"}, indent=1))
