#!/usr/bin/env python3
"""Golden values for SoftmaxCrossEntropy: mean label-smoothed cross-entropy and its gradient, by numpy (float64).

loss_n = logsumexp(z_n) - sum_k q_k z_nk, q = (1-eps) onehot + eps/K; grad = (softmax(z) - q) / N.
This is torch.nn.CrossEntropyLoss(label_smoothing=eps)'s definition. Prints Swift literals pasted into
Tests/KernelsTests/LayerTests.swift (crossEntropyMatchesNumpy).
"""
import numpy as np

z = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.25], [-2.0, 4.0, 4.0]])
labels = np.array([0, 2, 2])
for eps in (0.0, 0.1):
    K = z.shape[1]
    q = (1 - eps) * np.eye(K)[labels] + eps / K
    lse = np.log(np.exp(z - z.max(1, keepdims=True)).sum(1)) + z.max(1)
    loss = (lse - (q * z).sum(1)).mean()
    p = np.exp(z - lse[:, None])
    grad = (p - q) / len(z)
    print(f"eps={eps}: loss={loss!r}")
    print("  grad=[" + ", ".join(repr(float(v)) for v in grad.ravel()) + "]")
