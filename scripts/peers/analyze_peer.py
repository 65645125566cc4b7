#!/usr/bin/env python3
"""The scipy side of `reprise bench analyze`: the same work, timed the same way (best of `repeats` after a warm-up).

1. all-pairs Spearman rho and Kendall tau-b (with p-values) between the top-1 columns of the eight timm tables in
   fixtures/timm-results, each pair over the rows (model, img_size) both tables have;
2. a 95% percentile bootstrap of Spearman rho, ImageNet vs ImageNet-R, with 10,000 paired resamples
   (scipy.stats.bootstrap, vectorized=False, method="percentile").
Prints one JSON line: {"matrix_seconds": ..., "bootstrap_seconds": ..., "n": ..., "versions": ...}.
Usage: analyze_peer.py FIXTURE_DIR [--resamples N] [--repeats N]
"""
import argparse
import csv
import itertools
import json
import pathlib
import time

import numpy as np
import scipy
import scipy.stats as st

parser = argparse.ArgumentParser()
parser.add_argument("fixtures")
parser.add_argument("--resamples", type=int, default=10_000)
parser.add_argument("--repeats", type=int, default=3)
args = parser.parse_args()

tables = {}
for path in sorted(pathlib.Path(args.fixtures).glob("results-*.csv")):
    with open(path) as f:
        tables[path.name] = {(r["model"], r["img_size"]): float(r["top1"]) for r in csv.DictReader(f)}


def matrix():
    out = []
    for a, b in itertools.combinations(sorted(tables), 2):
        keys = sorted(set(tables[a]) & set(tables[b]))
        x = [tables[a][k] for k in keys]
        y = [tables[b][k] for k in keys]
        out.append((st.spearmanr(x, y), st.kendalltau(x, y)))
    return out


keys = sorted(set(tables["results-imagenet.csv"]) & set(tables["results-imagenet-r.csv"]))
x = np.array([tables["results-imagenet.csv"][k] for k in keys])
y = np.array([tables["results-imagenet-r.csv"][k] for k in keys])


def boot():
    return st.bootstrap((x, y), lambda a, b: st.spearmanr(a, b).statistic, paired=True, vectorized=False,
                        n_resamples=args.resamples, method="percentile", random_state=np.random.default_rng(0))


def best(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


print(json.dumps({"matrix_seconds": best(matrix, args.repeats), "bootstrap_seconds": best(boot, 1), "n": len(keys),
                  "versions": f"numpy {np.__version__}, scipy {scipy.__version__}"}))
