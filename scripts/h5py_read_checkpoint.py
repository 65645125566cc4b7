#!/usr/bin/env python3
"""Open a checkpoint written by `reprise checkpoint export` with h5py and print its tensors.

Output: one line per tensor, `name shape sum` (sum in float64), then the root attributes.
Exit 0 on success; used by CI to prove the files are readable by the Python ecosystem.
"""
import sys

import h5py
import numpy as np


def main(path: str) -> int:
    with h5py.File(path, "r") as f:
        order = f.attrs.get("tensor_order")
        names = order.decode().split("\n") if isinstance(order, bytes) else (order.split("\n") if order else sorted(f.keys()))
        for name in names:
            data = f[name][()]
            assert data.dtype == np.float32, f"{name}: dtype {data.dtype}"
            print(f"{name} {tuple(data.shape)} {float(np.sum(data, dtype=np.float64)):.9g}")
        for key in ("run_id", "epoch", "step", "reprise_format"):
            value = f.attrs[key]
            print(f"@{key} {value.decode() if isinstance(value, bytes) else value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
