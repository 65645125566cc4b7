#!/usr/bin/env python3
"""Golden values for Analyze's seeded percentile bootstrap (Bootstrap.swift) and relative improvement.

The resample indices are drawn exactly as Bootstrap.swift documents (SplitMix64, re-implemented here in a few lines
from its published definition), so the two sides see the same resamples; everything else is independent:
scipy.stats.spearmanr on each resample and numpy.quantile(method="linear") for the interval. Cases: a small
hand-made sample, and ImageNet vs ImageNet-R top-1 of the timm tables (rows joined on model and img_size).
Writes Tests/AnalyzeTests/golden/bootstrap.json. Run: python3 scripts/golden/bootstrap.py
"""
import csv
import json
import pathlib

import numpy as np
import scipy
import scipy.stats as st

M = (1 << 64) - 1


def splitmix(state):
    state = (state + 0x9E3779B97F4A7C15) & M
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return state, z ^ (z >> 31)


def bootstrap(x, y, resamples, confidence, seed):
    x, y, n = np.asarray(x), np.asarray(y), len(x)
    values = []
    for b in range(resamples):
        state = seed ^ (((b + 1) * 0x9E3779B97F4A7C15) & M)
        idx = np.empty(n, dtype=np.int64)
        for i in range(n):
            state, r = splitmix(state)
            idx[i] = (n * r) >> 64
        xs, ys = x[idx], y[idx]
        if np.all(xs == xs[0]) or np.all(ys == ys[0]):
            continue
        values.append(st.spearmanr(xs, ys).statistic)
    alpha = 1 - confidence
    return {"estimate": float(st.spearmanr(x, y).statistic),
            "lower": float(np.quantile(values, alpha / 2, method="linear")),
            "upper": float(np.quantile(values, 1 - alpha / 2, method="linear")),
            "undefined": resamples - len(values)}


root = pathlib.Path(__file__).resolve().parents[2]


def top1(name):
    with open(root / "fixtures/timm-results" / name) as f:
        return {(r["model"], r["img_size"]): float(r["top1"]) for r in csv.DictReader(f)}


a, r = top1("results-imagenet.csv"), top1("results-imagenet-r.csv")
keys = sorted(set(a) & set(r), key=lambda k: k[0] + "@" + k[1])
cases = [
    {"name": "small", "x": [1, 2, 3, 4, 5, 6, 7, 8], "y": [2, 1, 4, 3, 6, 8, 7, 5], "resamples": 2000, "confidence": 0.9, "seed": 7},
    {"name": "timm-imagenet-vs-r", "x": [a[k] for k in keys], "y": [r[k] for k in keys], "resamples": 300, "confidence": 0.95, "seed": 2026},
]
for c in cases:
    c.update(bootstrap(c["x"], c["y"], c["resamples"], c["confidence"], c["seed"]))
out = {"versions": f"numpy {np.__version__}, scipy {scipy.__version__}",
       "cases": cases,
       "relative_improvement": {"accuracies": {"AlexNet": 56.522, "VGG 19": 72.376, "ResNet 152": 78.312},
                                "baseline": "AlexNet",
                                "expected": {m: (v - 56.522) / 56.522 for m, v in {"AlexNet": 56.522, "VGG 19": 72.376, "ResNet 152": 78.312}.items()}}}
path = root / "Tests/AnalyzeTests/golden/bootstrap.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path.relative_to(root)}: " + ", ".join(f"{c['name']} [{c['lower']:.4f}, {c['upper']:.4f}]" for c in cases))
