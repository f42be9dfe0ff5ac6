"""Reference values of scikit-uplift's uplift metrics on small seeded samples.

Writes Tests/BasketryModelsTests/UpliftFixtures/sklift-metrics.json: for each case the outcomes,
treatment flags and scores, and sklift's qini_auc_score (with and without negative effects),
uplift_auc_score, uplift_at_k (overall and by_group, k = 0.3 and 0.1) and the Qini and uplift curves.
Basketry's UpliftMetrics must match every number to 1e-9.

    python3 -m venv /tmp/sklift && /tmp/sklift/bin/pip install scikit-uplift
    /tmp/sklift/bin/python Benchmarks/uplift/make_sklift_fixture.py
"""

import json
import os

import numpy as np
import sklift
from sklift.metrics import (
    qini_auc_score,
    qini_curve,
    uplift_at_k,
    uplift_auc_score,
    uplift_curve,
)


def case(name, y, t, s):
    y, t, s = np.asarray(y, dtype=int), np.asarray(t, dtype=int), np.asarray(s, dtype=float)
    qx, qy = qini_curve(y, s, t)
    ux, uy = uplift_curve(y, s, t)
    return {
        "name": name,
        "outcomes": y.tolist(),
        "treatment": t.tolist(),
        "scores": s.tolist(),
        "qini_auc_score": float(qini_auc_score(y, s, t)),
        "qini_auc_score_no_negative": float(qini_auc_score(y, s, t, negative_effect=False)),
        "uplift_auc_score": float(uplift_auc_score(y, s, t)),
        "uplift_at_k": {
            f"{strategy}@{k}": float(uplift_at_k(y, s, t, strategy=strategy, k=k))
            for strategy in ("overall", "by_group")
            for k in (0.3, 0.1)
        },
        "qini_curve": {"x": np.asarray(qx, dtype=float).tolist(), "y": np.asarray(qy, dtype=float).tolist()},
        "uplift_curve": {"x": np.asarray(ux, dtype=float).tolist(), "y": np.asarray(uy, dtype=float).tolist()},
    }


def main():
    rng = np.random.default_rng(20261206)
    cases = []
    # A learnable effect: the score is the true uplift plus noise.
    n = 400
    x = rng.normal(size=n)
    t = rng.integers(0, 2, size=n)
    tau = 0.25 * np.tanh(x)
    p = np.clip(0.3 + 0.1 * x + t * tau, 0.01, 0.99)
    y = (rng.random(n) < p).astype(int)
    cases.append(case("learnable", y, t, tau + 0.1 * rng.normal(size=n)))
    # Many tied scores (a coarse, 5-level score) and an unbalanced treatment share.
    n = 300
    t = (rng.random(n) < 0.35).astype(int)
    y = (rng.random(n) < 0.2 + 0.15 * t).astype(int)
    cases.append(case("ties", y, t, rng.integers(0, 5, size=n).astype(float)))
    # A score that ranks the worst first (negative Qini).
    n = 200
    x = rng.normal(size=n)
    t = rng.integers(0, 2, size=n)
    y = (rng.random(n) < np.clip(0.25 + t * 0.2 * np.sign(x), 0.01, 0.99)).astype(int)
    cases.append(case("reversed", y, t, -x))
    out = {"sklift_version": sklift.__version__, "numpy_version": np.__version__, "cases": cases}
    path = os.path.join(
        os.path.dirname(__file__), "..", "..", "Tests", "BasketryModelsTests", "UpliftFixtures", "sklift-metrics.json"
    )
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(path)} (sklift {sklift.__version__})")


if __name__ == "__main__":
    main()
