#!/usr/bin/env python3
"""Golden values for Analyze's rankingAgreement (FEAR Tables 1/3 metrics), written independently with numpy/scipy.

For x in 2..100 step 2: k = floor(N*x/100); top-k by ground truth (descending, stable: ties by index);
Spearman over that set (scipy.stats.spearmanr); common ratio = |top-k(gt) ∩ top-k(method)| / k.
Writes Tests/AnalyzeTests/golden/ranking_agreement.json.
"""
import json
import math
import pathlib

import numpy as np
import scipy.stats as st

rng = np.random.default_rng(3)
cases = []
for n, ties in ((50, False), (123, False), (80, True)):
    gt = rng.normal(size=n)
    method = gt + rng.normal(scale=0.7, size=n)
    if ties:
        gt, method = np.round(gt, 1), np.round(method, 1)
    by_gt = sorted(range(n), key=lambda i: (-gt[i], i))
    by_m = sorted(range(n), key=lambda i: (-method[i], i))
    bins = []
    for x in range(2, 101, 2):
        k = n * x // 100
        top = by_gt[:k]
        rho = None
        if k >= 3 and len(set(gt[top])) > 1 and len(set(method[top])) > 1:
            rho = float(st.spearmanr(gt[top], method[top]).statistic)
        common = len(set(top) & set(by_m[:k])) / k if k else 0.0
        bins.append({"percent": x, "k": k, "spearman": rho, "common": common})
    cases.append({"n": n, "groundTruth": gt.tolist(), "method": method.tolist(), "bins": bins})
path = pathlib.Path(__file__).resolve().parents[2] / "Tests/AnalyzeTests/golden/ranking_agreement.json"
path.write_text(json.dumps({"generator": "scripts/golden/ranking_agreement.py", "cases": cases}) + "\n")
print(f"wrote {len(cases)} cases to {path}")
