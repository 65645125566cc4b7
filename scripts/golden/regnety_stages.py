#!/usr/bin/env python3
"""Stage layout of RegNetY-400MF from its RegNet parameters, and its parameter count by pycls's counting rules.

Used by Tests/ReplayTests/SqueezeExcitationTests.swift (regNetY400MFMatchesTorchvisionsPublishedCount). The expected
value in that test is *not* this script's output but torchvision's published num_params (4,344,144, docs of
torchvision.models.regnet_y_400mf); this script only documents where the stage depths and widths come from
(RegNet paper §3.3: u_j = w0 + wa·j, s_j = round(log(u_j/w0)/log(wm)), w_j = 8·round(w0·wm^s_j / 8), consecutive
equal widths form a stage) and cross-checks the count with a plain sum.
Run: python3 scripts/golden/regnety_stages.py
"""
import numpy as np


def stages(depth, w0, wa, wm, quantum=8):
    u = np.arange(depth) * wa + w0
    s = np.round(np.log(u / w0) / np.log(wm))
    widths = (np.round(w0 * np.power(wm, s) / quantum) * quantum).astype(int).tolist()
    out = []
    for w in widths:
        if out and out[-1][0] == w:
            out[-1][1] += 1
        else:
            out.append([w, 1])
    return out


def params(layout, group_w=8, se_r=0.25, stem=32, classes=1000):
    p = 3 * 3 * 3 * stem + 2 * stem
    w_in = stem
    for w, d in layout:
        for i in range(d):
            w_b, w_se = w, int(round(se_r * w_in))
            p += w_in * w_b + 2 * w_b                        # a: 1x1 + BN
            p += 9 * w_b * w_b // (w_b // group_w) + 2 * w_b  # b: grouped 3x3 + BN
            p += 2 * w_b * w_se + w_se + w_b if w_se else 0   # SE: two 1x1 convs with bias
            p += w_b * w + 2 * w                             # c: 1x1 + BN
            if i == 0:
                p += w_in * w + 2 * w                        # projection (stride 2 in every first block)
            w_in = w
    return p + w_in * classes + classes


if __name__ == "__main__":
    layout = stages(16, 48, 27.89, 2.09)
    print("RegNetY-400MF (width, depth) per stage:", layout, "params:", params(layout))
