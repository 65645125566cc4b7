#!/usr/bin/env python3
"""Golden values for the representative-basis appendix tables (Analyze/Study/StudyTables+Appendix.swift), written
independently with numpy/scipy.

A made-up study: 12 architectures, each with 3 stages of (depth, width, bottleneckMultiplier, groupWidth), two
datasets, three seeds; per (architecture, dataset, seed) a top-1 and a top-5 error (some runs missing).
- App. D: per dataset and population (all; depth, width, bottleneck ratio b = 1/multiplier, group width non-decreasing
  across stages): n, median, mean of the seed-mean errors, fraction strictly below the whole population's median.
- App. B.3: over architectures with >= 2 seeds: within = sqrt(mean of sample variances (ddof=1)), between = sample SD
  (ddof=1) of the architecture means, ratio, share = between^2/(between^2+within^2); quartiles of all architectures'
  seed-mean errors with numpy's default (linear) interpolation.
- App. B.4: Spearman and Kendall tau-b (scipy) of seed-mean top-1 vs top-5 errors; discordant pairs = pairs strictly
  opposite in order (counted by a double loop).
Writes Tests/AnalyzeTests/golden/study_appendix.json (inputs and expected values).
"""
import itertools
import json
import pathlib

import numpy as np
import scipy.stats as st

rng = np.random.default_rng(11)
n_arch, seeds, datasets = 12, [0, 1, 2], ["alpha", "beta"]
architectures = []
for a in range(n_arch):
    stages = []
    for s in range(3):
        stages.append({"depth": int(rng.integers(1, 4)), "width": int(8 * rng.integers(1, 6)),
                       "bottleneckMultiplier": float(rng.choice([1.0, 0.5, 0.25])), "groupWidth": int(rng.choice([1, 2, 4, 8]))})
    architectures.append({"stages": stages})

runs = []   # {architecture, dataset, seed, top1, top5}
for a in range(n_arch):
    quality = rng.normal(20, 5)
    for d, dataset in enumerate(datasets):
        for seed in seeds:
            if (a + d + seed) % 7 == 3:   # a few runs missing
                continue
            top1 = round(float(quality + 3 * d + rng.normal(0, 1.0)), 2)
            top5 = round(float(top1 / 4 + rng.normal(0, 0.8)), 2)
            runs.append({"architecture": a, "dataset": dataset, "seed": seed, "top1": top1, "top5": top5})


def ascending(arch, field):
    values = [(1 / st_["bottleneckMultiplier"]) if field == "bottleneck" else st_[field] for st_ in arch["stages"]]
    return all(u <= v for u, v in zip(values, values[1:]))


expected = {"appD": [], "appB3": [], "appB4": []}
for dataset in datasets:
    per_arch = {a: [r for r in runs if r["architecture"] == a and r["dataset"] == dataset] for a in range(n_arch)}
    mean1 = {a: np.mean([r["top1"] for r in rs]) for a, rs in per_arch.items() if rs}
    mean5 = {a: np.mean([r["top5"] for r in rs]) for a, rs in per_arch.items() if rs}
    whole = np.array(list(mean1.values()))
    whole_median = float(np.median(whole))
    populations = [("all architectures", list(range(n_arch)))] + [
        (label, [a for a in range(n_arch) if ascending(architectures[a], field)])
        for label, field in [("block depth ascending", "depth"), ("block width ascending", "width"),
                             ("bottleneck ratio ascending", "bottleneck"), ("group width ascending", "groupWidth")]]
    for name, members in populations:
        e = np.array([mean1[a] for a in members if a in mean1])
        expected["appD"].append({"dataset": dataset, "population": name, "n": int(len(e)),
                                 "median": float(np.median(e)) if len(e) else None,
                                 "mean": float(np.mean(e)) if len(e) else None,
                                 "below": float(np.mean(e < whole_median)) if len(e) else None})
    variances, means = [], []
    for a, rs in per_arch.items():
        if len(rs) >= 2:
            v = np.array([r["top1"] for r in rs])
            variances.append(v.var(ddof=1))
            means.append(v.mean())
    within = float(np.sqrt(np.mean(variances)))
    between = float(np.std(means, ddof=1))
    expected["appB3"].append({"dataset": dataset, "architectures": len(means), "within": within, "between": between,
                              "ratio": between / within, "share": between ** 2 / (between ** 2 + within ** 2),
                              "q25": float(np.quantile(whole, 0.25)), "q50": float(np.quantile(whole, 0.5)),
                              "q75": float(np.quantile(whole, 0.75))})
    keys = sorted(mean1)
    x, y = np.array([mean1[a] for a in keys]), np.array([mean5[a] for a in keys])
    discordant = sum(1 for i, j in itertools.combinations(range(len(x)), 2) if (x[i] - x[j]) * (y[i] - y[j]) < 0)
    expected["appB4"].append({"dataset": dataset, "n": len(x), "rho": float(st.spearmanr(x, y).statistic),
                              "tau": float(st.kendalltau(x, y, variant="b").statistic), "discordant": discordant})

out = {"architectures": architectures, "datasets": datasets, "seeds": seeds, "runs": runs, "expected": expected}
path = pathlib.Path(__file__).resolve().parents[2] / "Tests/AnalyzeTests/golden/study_appendix.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path}")
