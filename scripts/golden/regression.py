#!/usr/bin/env python3
"""Golden values for Analyze's OLS, nested F-test and transforms: statsmodels OLS / compare_f_test, scipy.special.

Writes Tests/AnalyzeTests/golden/regression.json.
"""
import json
import pathlib

import numpy as np
import scipy
import scipy.special as sp
import statsmodels
import statsmodels.api as sm

rng = np.random.default_rng(7)


def fit(y, xs):
    X = sm.add_constant(np.column_stack(xs))
    r = sm.OLS(y, X).fit()
    return r, {"coefficients": r.params.tolist(), "standardErrors": r.bse.tolist(), "pValues": r.pvalues.tolist(),
               "rss": float(r.ssr), "r2": float(r.rsquared), "adjR2": float(r.rsquared_adj)}


cases = []
for n, k in ((5, 1), (30, 1), (200, 1), (25, 2), (60, 3)):
    xs = [rng.normal(size=n) for _ in range(k)]
    y = 1.5 + sum((j + 1) * 0.7 * x for j, x in enumerate(xs)) + rng.normal(scale=0.8, size=n)
    full, out = fit(y, xs)
    case = {"name": f"n={n} k={k}", "y": y.tolist(), "x": [x.tolist() for x in xs], "fit": out}
    if k >= 2:
        restricted, _ = fit(y, xs[:1])
        f, p, d = full.compare_f_test(restricted)
        case["fTest"] = {"f": float(f), "p": float(p), "df": int(d)}
    cases.append(case)

ps = [1e-12, 1e-5, 0.01, 0.02425, 0.3, 0.5, 0.77, 0.97575, 0.999, 1 - 1e-9]
out = {"generator": "scripts/golden/regression.py", "statsmodels": statsmodels.__version__, "scipy": scipy.__version__,
       "cases": cases, "probit": [[p, float(sp.ndtri(p))] for p in ps], "logit": [[p, float(sp.logit(p))] for p in ps]}
path = pathlib.Path(__file__).resolve().parents[2] / "Tests/AnalyzeTests/golden/regression.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {len(cases)} regression cases to {path}")
