#!/usr/bin/env python3
"""Golden values for Reprise's squeeze-excitation kernel (Sources/Kernels/SqueezeExcitation.swift).

An independent float64 implementation of pycls's SE module (pycls/models/blocks.py: AdaptiveAvgPool2d(1), Conv2d 1x1
with bias, ReLU, Conv2d 1x1 with bias, Sigmoid, x * gate), differentiated by HIPS `autograd` (pip install autograd):
L = sum(y * dy), so dL/dx, dL/dW1, dL/db1, dL/dW2, dL/db2 are the backward pass for the upstream gradient dy.
Inputs are drawn here (numpy seed ≥ 11, see main), rounded to float32 (what the Swift kernel reads), then computed in float64.
Layouts follow Reprise: x NHWC, W1 [S][C], W2 [C][S] (1x1 conv weights [out, 1, 1, in] flattened).
Run: python3 scripts/golden/squeeze_excitation.py  ->  Tests/ReplayTests/golden/squeeze_excitation.json
"""
import json
import os

import autograd.numpy as anp
import numpy as np
from autograd import grad


def se(x, w1, b1, w2, b2):
    pooled = anp.mean(x, axis=(1, 2))                     # [N, C]
    hidden = anp.maximum(anp.dot(pooled, w1.T) + b1, 0)   # [N, S]
    gate = 1 / (1 + anp.exp(-(anp.dot(hidden, w2.T) + b2)))  # [N, C]
    return x * gate[:, None, None, :]


def case(rng, name, n, h, w, c, s):
    f32 = lambda a: a.astype(np.float32).astype(np.float64)
    x = f32(np.maximum(rng.normal(size=(n, h, w, c)), 0))   # SE follows a ReLU: inputs ≥ 0, some exactly 0
    w1, b1 = f32(rng.normal(scale=3.0, size=(s, c))), f32(rng.uniform(-0.2, 0.2, size=s))
    w2, b2 = f32(rng.normal(scale=0.8, size=(c, s))), f32(rng.uniform(-0.5, 0.5, size=c))
    dy = f32(rng.normal(size=(n, h, w, c)))
    args = (x, w1, b1, w2, b2)
    loss = lambda *a: anp.sum(se(*a) * dy)
    grads = [grad(loss, i)(*args) for i in range(5)]
    hidden = np.maximum(x.mean(axis=(1, 2)) @ w1.T + b1, 0)
    flat = lambda a: [float(v) for v in np.asarray(a).ravel()]
    return {
        "name": name, "batch": n, "height": h, "width": w, "channels": c, "squeezed": s,
        "x": flat(x), "w1": flat(w1), "b1": flat(b1), "w2": flat(w2), "b2": flat(b2), "dy": flat(dy),
        "y": flat(se(*args)), "dx": flat(grads[0]), "dw1": flat(grads[1]), "db1": flat(grads[2]),
        "dw2": flat(grads[3]), "db2": flat(grads[4]),
        "inactiveHidden": int((hidden == 0).sum()),
    }


def main():
    # The first seed from 11 on whose draws leave some hidden units active and some inactive in every case, so that
    # the ReLU's gradient mask is exercised both ways.
    seed = 11
    while True:
        rng = np.random.default_rng(seed)
        cases = [case(rng, "3x4x5x6 squeezed to 2", 3, 4, 5, 6, 2), case(rng, "2x3x3x16 squeezed to 4", 2, 3, 3, 16, 4)]
        if all(0 < c["inactiveHidden"] < c["batch"] * c["squeezed"] for c in cases):
            break
        seed += 1
    out = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "ReplayTests", "golden", "squeeze_excitation.json")
    with open(out, "w") as f:
        json.dump({"source": "scripts/golden/squeeze_excitation.py", "seed": seed, "cases": cases}, f)
    print("wrote", os.path.normpath(out), "seed", seed, [c["inactiveHidden"] for c in cases], "inactive hidden units")


if __name__ == "__main__":
    main()
