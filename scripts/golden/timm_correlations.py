#!/usr/bin/env python3
"""Golden values: correlations of ImageNet top-1 with each other test set of fixtures/timm-results, by scipy.

Rows are joined on (model, img_size), keeping rows present in both files. Writes
Tests/AnalyzeTests/golden/timm_correlations.json: {file: {n, pearson, spearman, kendall}} with [statistic, p-value],
and "probit": the OLS fit of probit(other/100) on probit(imagenet/100) (scipy.special.ndtri, scipy.stats.linregress)
over the joined rows whose accuracies are both strictly between 0 and 100: {n, slope, intercept, r2, slope_se,
intercept_se}.
"""
import csv
import json
import pathlib

import scipy
import scipy.special as sp
import scipy.stats as st

root = pathlib.Path(__file__).resolve().parents[2]
folder = root / "fixtures/timm-results"


def load(name):
    with open(folder / name, newline="") as f:
        return {(r["model"], r["img_size"]): float(r["top1"]) for r in csv.DictReader(f)}


base = load("results-imagenet.csv")
out = {"generator": "scripts/golden/timm_correlations.py", "scipy": scipy.__version__, "results": {}}
for path in sorted(folder.glob("results-*.csv")):
    if path.name == "results-imagenet.csv":
        continue
    other = load(path.name)
    keys = sorted(set(base) & set(other), key=lambda k: f"{k[0]}@{k[1]}")
    x = [base[k] for k in keys]
    y = [other[k] for k in keys]
    p, s, k = st.pearsonr(x, y), st.spearmanr(x, y), st.kendalltau(x, y)
    out["results"][path.name] = {"n": len(keys), "pearson": [float(p.statistic), float(p.pvalue)],
                                 "spearman": [float(s.statistic), float(s.pvalue)],
                                 "kendall": [float(k.statistic), float(k.pvalue)]}
    inside = [(a, b) for a, b in zip(x, y) if 0 < a < 100 and 0 < b < 100]
    fit = st.linregress([sp.ndtri(a / 100) for a, _ in inside], [sp.ndtri(b / 100) for _, b in inside])
    out["results"][path.name]["probit"] = {"n": len(inside), "slope": float(fit.slope), "intercept": float(fit.intercept),
                                           "r2": float(fit.rvalue ** 2), "slope_se": float(fit.stderr),
                                           "intercept_se": float(fit.intercept_stderr)}
(root / "Tests/AnalyzeTests/golden/timm_correlations.json").write_text(json.dumps(out, indent=1) + "\n")
for name, r in out["results"].items():
    print(name, r["n"], r["spearman"], r["probit"]["n"], r["probit"]["slope"])
