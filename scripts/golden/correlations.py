#!/usr/bin/env python3
"""Golden values for Analyze's correlations, computed by scipy (the independent reference).

Writes Tests/AnalyzeTests/golden/correlations.json: a list of cases {name, x, y, pearson, spearman, kendall}, each
statistic as [coefficient, two-sided p-value] from scipy.stats.pearsonr / spearmanr / kendalltau (method="auto",
variant="b"). Run: python3 scripts/golden/correlations.py   (numpy and scipy versions are recorded in the file).
"""
import json
import pathlib

import numpy as np
import scipy
import scipy.stats as st

rng = np.random.default_rng(20261122)


def case(name, x, y):
    x = [float(v) for v in x]
    y = [float(v) for v in y]
    p = st.pearsonr(x, y)
    s = st.spearmanr(x, y)
    k = st.kendalltau(x, y)
    return {
        "name": name, "x": x, "y": y,
        "pearson": [float(p.statistic), float(p.pvalue)],
        "spearman": [float(s.statistic), float(s.pvalue)],
        "kendall": [float(k.statistic), float(k.pvalue)],
    }


cases = [case("doc example", [1, 2, 3, 4, 5], [5, 6, 7, 8, 7])]
for n in (3, 4, 10, 25, 33):  # no ties, n <= 33: Kendall exact
    x = rng.normal(size=n)
    cases.append(case(f"normal n={n}", x, 0.6 * x + rng.normal(size=n)))
for n in (34, 60, 200):  # no ties, n > 33: Kendall asymptotic
    x = rng.normal(size=n)
    cases.append(case(f"normal n={n}", x, -0.3 * x + rng.normal(size=n)))
for n in (12, 50, 300):  # heavy ties in both
    x = rng.integers(0, 5, size=n)
    cases.append(case(f"ties n={n}", x, x + rng.integers(0, 4, size=n)))
x = rng.normal(size=40)
cases.append(case("strong n=40", x, x + 1e-3 * rng.normal(size=40)))  # tiny p-values

out = pathlib.Path(__file__).resolve().parents[2] / "Tests/AnalyzeTests/golden/correlations.json"
out.write_text(json.dumps({"generator": "scripts/golden/correlations.py", "numpy": np.__version__,
                           "scipy": scipy.__version__, "cases": cases}, indent=1) + "\n")
print(f"wrote {len(cases)} cases to {out}")
for c in cases[:1]:
    print(c["name"], c["pearson"], c["spearman"], c["kendall"])
