#!/usr/bin/env python3
"""Golden values for `reprise verify fixtures/claims/transfer.csv`, computed independently with scipy and statsmodels.

For every checkable claim of the transfer paper ("Does progress on ImageNet transfer to real-world datasets?") this
recomputes the statistic from fixtures/published/transfer-appendix-a.csv following the paper's definitions — not the
claims file's argument grammar — and writes Tests/AnalyzeTests/golden/transfer_claims.json: {claim id: value}.
- Table 2: Pearson r and OLS slope of each target metric on ImageNet top-1, models with ImageNet top-1 >= 70%, both
  in percent (kappa, F1 and AUC times 100).
- Table N.1: metrics as fractions, logit, standardised (sample sd); "average" = mean of the other five; statsmodels OLS,
  F-test via compare_f_test, adjusted R^2.
- Table N.2: scipy.stats.spearmanr of the target with the mean of the other five (raw fractions, or logit-standardised),
  and with ImageNet top-1.
Run: python3 scripts/golden/transfer_claims.py
"""
import csv
import json
import pathlib

import numpy as np
import scipy
import scipy.stats as st
import statsmodels
import statsmodels.api as sm

root = pathlib.Path(__file__).resolve().parents[2]
with open(root / "fixtures/published/transfer-appendix-a.csv") as f:
    rows = list(csv.DictReader(f))
cols = {"cct20": "cct20_top1_pct", "aptos": "aptos_kappa", "hpa": "hpa_macro_f1", "melanoma": "melanoma_auc",
        "cassava": "cassava_top1_pct", "eurosat": "eurosat_top1_pct"}
raw = {c: np.array([float(r[c]) for r in rows]) for c in ["imagenet_top1_pct", *cols.values()]}
frac = {c: v / 100 if c.endswith("_pct") else v for c, v in raw.items()}
pct = {c: v if c.endswith("_pct") else v * 100 for c, v in raw.items()}
logit_std = {c: (lambda z: (z - z.mean()) / z.std(ddof=1))(np.log(v / (1 - v))) for c, v in frac.items()}
inet = "imagenet_top1_pct"
out = {}
keep = pct[inet] >= 70
for k, c in cols.items():
    x, y = pct[inet][keep], pct[c][keep]
    out[f"transfer-t2-{k}-r"] = float(st.pearsonr(x, y).statistic)
    out[f"transfer-t2-{k}-slope"] = float(st.linregress(x, y).slope)
for k, c in cols.items():
    others = [v for v in cols.values() if v != c]
    y = logit_std[c]
    avg = np.mean([logit_std[o] for o in others], axis=0)
    fit = lambda *xs: sm.OLS(y, sm.add_constant(np.column_stack(xs))).fit()
    both, only_inet, only_avg = fit(logit_std[inet], avg), fit(logit_std[inet]), fit(avg)
    f_avg, p_avg, _ = both.compare_f_test(only_inet)
    f_inet, p_inet, _ = both.compare_f_test(only_avg)
    out.update({f"transfer-n1-{k}-F-avg": float(f_avg), f"transfer-n1-{k}-p-avg": float(p_avg),
                f"transfer-n1-{k}-F-imagenet": float(f_inet), f"transfer-n1-{k}-p-imagenet": float(p_inet),
                f"transfer-n1-{k}-adjr2-imagenet": float(only_inet.rsquared_adj),
                f"transfer-n1-{k}-adjr2-average": float(only_avg.rsquared_adj),
                f"transfer-n1-{k}-adjr2-both": float(both.rsquared_adj)})
for k, c in cols.items():
    others = [v for v in cols.values() if v != c]
    r = st.spearmanr(frac[c], np.mean([frac[o] for o in others], axis=0))
    n = st.spearmanr(logit_std[c], np.mean([logit_std[o] for o in others], axis=0))
    i = st.spearmanr(raw[c], raw[inet])
    out.update({f"transfer-n2-{k}-raw-rho": float(r.statistic), f"transfer-n2-{k}-raw-p": float(r.pvalue),
                f"transfer-n2-{k}-norm-rho": float(n.statistic), f"transfer-n2-{k}-norm-p": float(n.pvalue),
                f"transfer-n2-{k}-imagenet-rho": float(i.statistic), f"transfer-n2-{k}-imagenet-p": float(i.pvalue)})
out["_versions"] = f"numpy {np.__version__}, scipy {scipy.__version__}, statsmodels {statsmodels.__version__}"
path = root / "Tests/AnalyzeTests/golden/transfer_claims.json"
path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
print(f"wrote {len(out) - 1} values to {path.relative_to(root)}")
