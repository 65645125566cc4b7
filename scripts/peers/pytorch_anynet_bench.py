#!/usr/bin/env python3
"""PyTorch peer for `reprise bench kernels`: the same AnyNet-bench, batch, input and thread counts.

Usage (installs PyTorch from PyPI into a throwaway virtual environment; nothing touches the product):
    python3 -m venv /tmp/torch-venv && /tmp/torch-venv/bin/pip install torch   # several GB: the PyPI wheel imports CUDA libraries even on CPU
    /tmp/torch-venv/bin/python scripts/peers/pytorch_anynet_bench.py --threads 1 2
    or, measured in the same run as Reprise: reprise bench kernels --model-only --pytorch /tmp/torch-venv/bin/python
Model (Kernels issue, "AnyNet-bench"): stem 3x3 conv 3->24 s1 + BN + ReLU; four stages of ResNeXt bottleneck blocks,
(depth, width, b, g) = (1,24,1,8), (2,48,1,8), (2,96,1,8), (1,192,1,8), strides 1,2,2,2, projection shortcut when the
shape changes, ReLU after the sum; global average pool; FC to 10. Input 128 x 3 x 32 x 32. SGD momentum 0.9, Nesterov,
weight decay 5e-4, cross-entropy. Prints images/s for a training step (forward + backward + update) and for inference,
from the fastest of --steps timed steps each.
"""
import argparse
import time

import torch
import torch.nn as nn


def conv_bn(w_in, w_out, k, stride=1, groups=1, relu=True):
    layers = [nn.Conv2d(w_in, w_out, k, stride, (k - 1) // 2, groups=groups, bias=False), nn.BatchNorm2d(w_out)]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class Bottleneck(nn.Module):
    def __init__(self, w_in, w_out, stride, b=1, g=8):
        super().__init__()
        w_b = int(round(w_out / b))
        self.f = nn.Sequential(conv_bn(w_in, w_b, 1), conv_bn(w_b, w_b, 3, stride, groups=w_b // g),
                               conv_bn(w_b, w_out, 1, relu=False))
        self.proj = conv_bn(w_in, w_out, 1, stride, relu=False) if (w_in != w_out or stride != 1) else None
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu((self.proj(x) if self.proj is not None else x) + self.f(x))


def anynet_bench():
    layers = [conv_bn(3, 24, 3)]
    w_in = 24
    for depth, width, stride in [(1, 24, 1), (2, 48, 2), (2, 96, 2), (1, 192, 2)]:
        for i in range(depth):
            layers.append(Bottleneck(w_in, width, stride if i == 0 else 1))
            w_in = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(w_in, 10)]
    return nn.Sequential(*layers)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    x = torch.randn(128, 3, 32, 32)
    y = torch.randint(0, 10, (128,))
    print(f"torch {torch.__version__}")
    print("threads   train img/s   infer img/s")
    for t in args.threads:
        torch.set_num_threads(t)
        model = anynet_bench()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=5e-4)
        loss_fn = nn.CrossEntropyLoss()

        def step():
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x), y).backward()
            opt.step()

        step()
        # The fastest of `steps` steps (as `reprise bench kernels` times its own): the VM's speed varies over minutes.
        best = float("inf")
        for _ in range(args.steps):
            start = time.perf_counter()
            step()
            best = min(best, time.perf_counter() - start)
        train = 128 / best
        model.eval()
        with torch.no_grad():
            model(x)
            best = float("inf")
            for _ in range(args.steps):
                start = time.perf_counter()
                model(x)
                best = min(best, time.perf_counter() - start)
            infer = 128 / best
        print(f"{t:7d} {train:13.1f} {infer:13.1f}")


if __name__ == "__main__":
    main()
