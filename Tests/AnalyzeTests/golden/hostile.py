#!/usr/bin/env python3
"""Expected values for Tests/AnalyzeTests/HostileInputTests.swift: inputs whose squares overflow or underflow, values
next to ±Double.greatestFiniteMagnitude, subnormals, 1e300 mixed with 1e-300, huge degrees of freedom, subnormal
probit arguments.

References are independent of the Swift code: correlations and OLS are computed in exact rational arithmetic
(fractions.Fraction on the exact binary values, one final square root in 60-digit decimal), and cross-checked against
scipy.stats.pearsonr where scipy itself is right; p-values come from scipy.stats.t.sf / f.sf, probit from
scipy.special.ndtri. Run: python3 Tests/AnalyzeTests/golden/hostile.py  (scipy 1.17.1, numpy 2.4.6).
The printed lines are pasted into the Swift test next to each #expect.
"""
from decimal import Decimal, getcontext
from fractions import Fraction as F

import numpy as np
import scipy
from scipy import special, stats

getcontext().prec = 60


def sqrt(q):  # Fraction -> Decimal
    return (Decimal(q.numerator) / Decimal(q.denominator)).sqrt()


def pearson_exact(x, y):
    x = [F(v) for v in x]; y = [F(v) for v in y]
    n = len(x); mx = sum(x) / n; my = sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x); syy = sum((b - my) ** 2 for b in y)
    r = Decimal(sxy.numerator) / Decimal(sxy.denominator) / (sqrt(sxx) * sqrt(syy))
    return float(r)


def t_p(r, n):
    df = n - 2
    t = r * np.sqrt(df / ((1 - r) * (1 + r)))
    return float(2 * stats.t.sf(abs(t), df))


def ols_exact(y, columns):
    """Exact OLS with intercept by the normal equations in rationals: beta, se, rss, r2, adj_r2."""
    y = [F(v) for v in y]
    X = [[F(1)] + [F(c[i]) for c in columns] for i in range(len(y))]
    n, p = len(X), len(X[0])
    A = [[sum(X[k][i] * X[k][j] for k in range(n)) for j in range(p)] for i in range(p)]
    b = [sum(X[k][i] * y[k] for k in range(n)) for i in range(p)]
    # Gauss-Jordan on [A | I | b], exact.
    M = [A[i] + [F(int(i == j)) for j in range(p)] + [b[i]] for i in range(p)]
    for c in range(p):
        piv = next(r for r in range(c, p) if M[r][c] != 0)
        M[c], M[piv] = M[piv], M[c]
        M[c] = [v / M[c][c] for v in M[c]]
        for r in range(p):
            if r != c and M[r][c] != 0:
                f = M[r][c]; M[r] = [a - f * bb for a, bb in zip(M[r], M[c])]
    beta = [M[i][-1] for i in range(p)]
    inv = [M[i][p:2 * p] for i in range(p)]
    rss = sum((y[k] - sum(X[k][j] * beta[j] for j in range(p))) ** 2 for k in range(n))
    my = sum(y) / n; tss = sum((v - my) ** 2 for v in y)
    df = n - p
    se = [float(sqrt(rss / df * inv[j][j])) for j in range(p)]
    r2 = 1 - rss / tss
    return dict(beta=[float(v) for v in beta], se=se, rss=rss, r2=float(r2), adj=float(1 - (1 - r2) * (n - 1) / df), df=df)


def show(name, value):
    print(f"{name} = {value!r}")


print(f"# scipy {scipy.__version__}, numpy {np.__version__}")

# 1. Squares overflow: the same shape at 1e200 (Σ(x−x̄)² ≈ 1e400). scipy's pearsonr normalises first and agrees.
x_small = [1.2, 3.4, 2.2, 5.1, 4.0, 0.7]
y_small = [2.0, 1.1, 3.3, 0.9, 1.5, 2.8]
x_big = [v * 1e200 for v in x_small]; y_big = [v * 1e200 for v in y_small]
r = pearson_exact(x_big, y_big)
show("overflow.r", r); show("overflow.r.scipy", float(stats.pearsonr(x_big, y_big)[0])); show("overflow.p", t_p(r, 6))
fit = ols_exact(y_big, [x_big])
show("overflow.ols.slope", fit["beta"][1]); show("overflow.ols.intercept", fit["beta"][0]); show("overflow.ols.r2", fit["r2"])
show("overflow.ols.slope_se", fit["se"][1]); show("overflow.ols.intercept_se", fit["se"][0])
show("overflow.ols.slope_p", float(2 * stats.t.sf(abs(fit["beta"][1] / fit["se"][1]), fit["df"])))

# 2. Squares underflow: at 1e-200 (Σ(x−x̄)² ≈ 1e-400 → 0).
x_tiny = [v * 1e-200 for v in x_small]; y_tiny = [v * 1e-200 for v in y_small]
r = pearson_exact(x_tiny, y_tiny)
show("underflow.r", r); show("underflow.r.scipy", float(stats.pearsonr(x_tiny, y_tiny)[0]))
fit = ols_exact(y_tiny, [x_tiny])
show("underflow.ols.slope", fit["beta"][1]); show("underflow.ols.intercept", fit["beta"][0]); show("underflow.ols.r2", fit["r2"])

# 3. Next to ±greatestFiniteMagnitude (Σx overflows before any square).
x_max = [1.7e308, -1.7e308, 1.0e308, -0.5e308, 1.6e308]
y_max = [1.0, 2.0, 2.5, 4.0, 3.0]
r = pearson_exact(x_max, y_max)
show("maxmag.r", r); show("maxmag.p", t_p(r, 5))
fit = ols_exact(y_max, [x_max])
show("maxmag.ols.slope", fit["beta"][1]); show("maxmag.ols.intercept", fit["beta"][0]); show("maxmag.ols.r2", fit["r2"])

# 4. Subnormals (exact multiples of 2^-1074).
x_sub = [k * 2.0 ** -1074 for k in (3, 17, 5, 29, 11, 23)]
y_sub = [k * 2.0 ** -1074 for k in (7, 2, 13, 4, 19, 1)]
r = pearson_exact(x_sub, y_sub)
show("subnormal.r", r); show("subnormal.r.of_integers", float(stats.pearsonr([3, 17, 5, 29, 11, 23], [7, 2, 13, 4, 19, 1])[0]))

# 5. 1e300 mixed with 1e-300 in one column.
x_mix = [1e300, 1e-300, 2e300, -1e-300, 3e300, 5e-301]
y_mix = [1.0, 2.0, 1.5, 3.0, 0.5, 2.5]
r = pearson_exact(x_mix, y_mix)
show("mixed.r", r); show("mixed.r.scipy", float(stats.pearsonr(x_mix, y_mix)[0])); show("mixed.p", t_p(r, 6))
fit = ols_exact(y_mix, [x_mix])
show("mixed.ols.slope", fit["beta"][1]); show("mixed.ols.intercept", fit["beta"][0])

# 5b. A mean that rounds coarsely: x = 1e16 + 2y exactly, so r = 1 (x̄ = 1e16 + 4/3 rounds to 1e16; scipy 0.5774).
x_off = [1e16, 1e16 + 2, 1e16 + 2]; y_off = [0.0, 1.0, 1.0]
show("offset.r", pearson_exact(x_off, y_off)); show("offset.r.scipy", float(stats.pearsonr(x_off, y_off)[0]))

# 6. OLS with y ~ 1e300 on x ~ 1e-300: the slope (~1e600) is beyond Double → undefined. Nothing to compute.

# 7. Nested F-test at 1e200: y on r versus y on r + added (exact RSS ratio; p from scipy.stats.f.sf).
y7 = [v * 1e200 for v in (3.1, 4.2, 2.8, 5.9, 6.1, 4.4, 7.3, 6.6)]
r7 = [1.0, 2.0, 1.5, 3.5, 4.0, 2.5, 5.0, 4.5]
a7 = [0.3, -1.2, 0.8, 0.1, -0.4, 1.1, -0.9, 0.2]
full, restricted = ols_exact(y7, [r7, a7]), ols_exact(y7, [r7])
Fv = float(((restricted["rss"] - full["rss"]) / 1) / (full["rss"] / full["df"]))
show("ftest.F", Fv); show("ftest.p", float(stats.f.sf(Fv, 1, full["df"])))
show("ftest.adjR2", full["adj"])

# 8. Student's t p-values at huge df (the old continued fraction returned 1 at df = 1e17).
for df in (1e5, 1e7, 1e9, 1e12, 1e17):
    for t in (0.5, 2.0, 5.0, 10.0):
        show(f"t.p[df={df:g}, t={t}]", float(2 * stats.t.sf(t, df)))
for d2 in (1e5, 1e7):
    for f in (0.5, 3.0, 10.0):
        show(f"f.p[d1=2, d2={d2:g}, f={f}]", float(stats.f.sf(f, 2, d2)))

# 9. probit at subnormal p (the old Halley step overflowed exp(x²/2) and returned NaN).
for p in (1e-310, 1e-315, 1e-320, 5e-324):
    show(f"probit[{p!r}]", float(special.ndtri(p)))

# 10. standardize at 2^700 scale = standardize of the integers (exact scaling).
k = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
show("standardize.of_integers", [float(v) for v in (k - k.mean()) / k.std(ddof=1)])
