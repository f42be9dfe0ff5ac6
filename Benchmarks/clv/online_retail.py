"""Online Retail calibration/holdout with lifetimes 0.11.3: the oracle numbers and the RFM fixture.

Cleaning (ORACLES): drop invoices starting with C or A, quantity <= 0, price <= 0, missing customer,
stock codes not matching ^[0-9]{5}[A-Za-z]*$. One invoice = one transaction (value = sum of
quantity x price over its lines). Calibration: InvoiceDate <= 2011-06-09 00:00; holdout:
2011-06-09 00:00 < InvoiceDate <= 2011-12-09 00:00 (lifetimes' calibration_and_holdout_data).
"""
import json, sys
import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, ParetoNBDFitter, GammaGammaFitter
from lifetimes.utils import calibration_and_holdout_data

path = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/online-retail/online_retail.csv.gz"
out = sys.argv[2] if len(sys.argv) > 2 else "Tests/BasketryCustomersTests/Fixtures/online-retail-rfm.csv"

df = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": "Int64"})
df = df[~df.InvoiceNo.str.startswith(("C", "A"))]
df = df[(df.Quantity > 0) & (df.UnitPrice > 0) & df.CustomerID.notna()]
df = df[df.StockCode.str.match(r"^[0-9]{5}[A-Za-z]*$")]
df["value"] = df.Quantity * df.UnitPrice
inv = df.groupby("InvoiceNo").agg(customer=("CustomerID", "first"), date=("InvoiceDate", "first"),
                                  value=("value", "sum")).reset_index()
inv["date"] = pd.to_datetime(inv.date)
summary = calibration_and_holdout_data(inv, "customer", "date", calibration_period_end="2011-06-09 23:59:59",
                                       observation_period_end="2011-12-09 23:59:59", freq="D",
                                       monetary_value_col="value")
n = len(summary)
f, r, T = summary.frequency_cal, summary.recency_cal, summary.T_cal
actual = summary.frequency_holdout
h = summary.duration_holdout.iloc[0]

def metrics(pred):
    err = actual - pred
    return dict(mae=float(np.abs(err).mean()), rmse=float(np.sqrt((err ** 2).mean())),
                pearson=float(np.corrcoef(actual, pred)[0, 1]),
                mae_btyd=float(np.abs(err).sum() / actual.sum()),
                total_actual=float(actual.sum()), total_pred=float(pred.sum()))

res = {"customers": n, "holdout_days": float(h)}
bg = BetaGeoFitter(penalizer_coef=0.0).fit(f, r, T)
res["bgnbd_params"] = {k: float(v) for k, v in bg.params_.items()}
bgp = bg.conditional_expected_number_of_purchases_up_to_time(h, f, r, T)
res["bgnbd"] = metrics(bgp)
pn = ParetoNBDFitter(penalizer_coef=0.0).fit(f, r, T)
res["paretonbd_params"] = {k: float(v) for k, v in pn.params_.items()}
pnp = pn.conditional_expected_number_of_purchases_up_to_time(h, f, r, T)
res["paretonbd"] = metrics(pnp)
naive = np.where(T > 0, f / np.maximum(T, 1e-9) * h, 0.0)
res["naive"] = metrics(naive)
groups = np.minimum(f, 7).astype(int)
res["groups"] = {int(g): {"n": int((groups == g).sum()), "actual": float(actual[groups == g].sum()),
                          "bgnbd": float(bgp[groups == g].sum()), "paretonbd": float(pnp[groups == g].sum()),
                          "naive": float(naive[groups == g].sum())} for g in range(8)}
rep = summary[summary.frequency_cal > 0]
gg = GammaGammaFitter(penalizer_coef=0.0).fit(rep.frequency_cal, rep.monetary_value_cal)
res["gammagamma_params"] = {k: float(v) for k, v in gg.params_.items()}
print(json.dumps(res, indent=1))

table = summary.reset_index()[["customer", "frequency_cal", "recency_cal", "T_cal", "monetary_value_cal",
                                "frequency_holdout"]]
table.columns = ["customer", "frequency", "recency", "T", "monetary", "holdout_frequency"]
table["bgnbd_prediction"] = bgp.values
with open(out, "w") as fh:
    table.to_csv(fh, index=False, float_format="%.10g")
with open(out.replace("-rfm.csv", "-lifetimes.json"), "w") as fh:
    json.dump(res, fh, indent=1)
