#!/usr/bin/env python3
"""Golden values for Reprise's zero-cost proxies (Tests/ReplayTests/ZeroCostProxyTests.swift).

An independent implementation of two tiny pycls-style AnyNets in numpy, differentiated by HIPS `autograd`
(pip install autograd): exact gradients, an exact Hessian-vector product for grasp, and numpy.corrcoef +
numpy.linalg.eigvalsh for jacob_cov. Definitions: shared/specs/models-and-methods.md §3 (foresight/pruners/measures).
Weights and images are drawn here (numpy seed 7), rounded to float32 (what the Swift model holds), computed in
float64, and written with the expected scores to Tests/ReplayTests/golden/zero_cost_proxies.json.

Layouts follow Reprise: activations NHWC, conv weights [out, kh, kw, in/groups], linear weights [out, in].
Run: python3 scripts/golden/zero_cost_proxies.py
"""
import json
import os

import autograd.numpy as anp
import numpy as np
from autograd import grad

EPS = 1e-5


def conv(x, w, stride, groups):
    """NHWC convolution, padding (k-1)/2, output size (H-1)//stride+1, grouped."""
    n, h, wd, c = x.shape
    out, k, _, cg = w.shape
    p = (k - 1) // 2
    oh, ow = (h - 1) // stride + 1, (wd - 1) // stride + 1
    zeros_h = anp.zeros((n, p, wd, c))
    xp = anp.concatenate([zeros_h, x, zeros_h], axis=1) if p else x
    zeros_w = anp.zeros((n, h + 2 * p, p, c))
    xp = anp.concatenate([zeros_w, xp, zeros_w], axis=2) if p else xp
    kg = out // groups
    outs = []
    for g in range(groups):
        acc = 0
        for i in range(k):
            for j in range(k):
                patch = xp[:, i:i + stride * (oh - 1) + 1:stride, j:j + stride * (ow - 1) + 1:stride, g * cg:(g + 1) * cg]
                acc = acc + anp.einsum('nhwc,kc->nhwk', patch, w[g * kg:(g + 1) * kg, i, j, :])
        outs.append(acc)
    return anp.concatenate(outs, axis=3) if groups > 1 else outs[0]


def bn(y, gamma, beta, use_bn):
    if not use_bn:
        return y
    mean = anp.mean(y, axis=(0, 1, 2))
    var = anp.mean((y - mean) ** 2, axis=(0, 1, 2))
    return (y - mean) / anp.sqrt(var + EPS) * gamma + beta


def maxpool(x):
    """3x3, stride 2, padding 1 (padded taps never win)."""
    n, h, w, c = x.shape
    oh, ow = (h - 1) // 2 + 1, (w - 1) // 2 + 1
    neg = -1e300
    xp = anp.concatenate([anp.full((n, 1, w, c), neg), x, anp.full((n, 1, w, c), neg)], axis=1)
    xp = anp.concatenate([anp.full((n, h + 2, 1, c), neg), xp, anp.full((n, h + 2, 1, c), neg)], axis=2)
    taps = [xp[:, i:i + 2 * (oh - 1) + 1:2, j:j + 2 * (ow - 1) + 1:2, :] for i in range(3) for j in range(3)]
    return anp.max(anp.stack(taps), axis=0)


class Net:
    """A tiny AnyNet: a list of (name, kind, args) layers mirroring pycls module paths."""

    def __init__(self, name, spec, input_size, layers, rng):
        self.name, self.spec, self.input_size, self.layers = name, spec, input_size, layers
        self.params = {}
        for layer in layers:
            for pname, shape, scale, offset in layer['params']:
                values = rng.standard_normal(shape) * scale + offset
                self.params[pname] = values.astype(np.float32).astype(np.float64)
        self.order = list(self.params)

    def forward(self, p, x, use_bn=True, deltas=None):
        """Logits and each layer's activation (a conv's output before BN; the head's logits). `deltas` (by activation
        name) are added to the activations: differentiating in them at zero gives dL/d(activation), for fisher."""
        def add(name, a):
            return a + deltas[name] if deltas is not None else a

        def cbr(prefix, x, stride, groups, relu):
            a = add(prefix, conv(x, p[prefix + '.conv.weight'], stride, groups))  # before BN: fisher's activation
            y = bn(a, p[prefix + '.bn.weight'], p[prefix + '.bn.bias'], use_bn)
            return anp.maximum(y, 0) if relu else y, a

        acts = {}
        for layer in self.layers:
            kind = layer['kind']
            if kind == 'stem':
                x, acts['stem'] = cbr('stem', x, layer['stride'], 1, True)
                if layer.get('pool'):
                    x = maxpool(x)
            elif kind == 'bottleneck' or kind == 'basic':
                prefix = layer['prefix']
                names = ['f.a', 'f.b', 'f.c'] if kind == 'bottleneck' else ['f.a', 'f.b']
                f = x
                for i, part in enumerate(names):
                    stride = layer['stride'] if (part == 'f.b' and kind == 'bottleneck') or (part == 'f.a' and kind == 'basic') else 1
                    groups = layer['groups'] if part == 'f.b' and kind == 'bottleneck' else 1
                    f, acts[prefix + '.' + part] = cbr(prefix + '.' + part, f, stride, groups, i < len(names) - 1)
                if layer['proj']:
                    s, acts[prefix + '.proj'] = cbr(prefix + '.proj', x, layer['stride'], 1, False)
                else:
                    s = x
                x = anp.maximum(f + s, 0)
            elif kind == 'head':
                pooled = anp.mean(x, axis=(1, 2))
                x = add('head.fc', anp.dot(pooled, p['head.fc.weight'].T) + p['head.fc.bias'])
                acts['head.fc'] = x
        return x, acts


def conv_params(prefix, out, k, cin_g, with_bn=True):
    fan_out = k * k * out
    ps = [(prefix + '.conv.weight', (out, k, k, cin_g), np.sqrt(2.0 / fan_out), 0.0)]
    if with_bn:
        # gamma near 1 and beta near 0 but not exactly, so that their roles are exercised
        ps += [(prefix + '.bn.weight', (out,), 0.2, 1.0), (prefix + '.bn.bias', (out,), 0.1, 0.0)]
    return ps


def net_a(rng):
    # res_stem_cifar 2->4 (3x3 s1); one res_bottleneck block width 6, stride 2, bot_mul 1, group width 2 (3 groups), proj.
    spec = {"stem": "res_stem_cifar", "stemWidth": 4, "block": "res_bottleneck_block",
            "stages": [{"depth": 1, "width": 6, "stride": 2, "bottleneckMultiplier": 1.0, "groupWidth": 2}],
            "inputChannels": 2, "classes": 3}
    layers = [
        {'kind': 'stem', 'stride': 1, 'params': conv_params('stem', 4, 3, 2)},
        {'kind': 'bottleneck', 'prefix': 's1.b1', 'stride': 2, 'groups': 3, 'proj': True,
         'params': conv_params('s1.b1.f.a', 6, 1, 4) + conv_params('s1.b1.f.b', 6, 3, 2) + conv_params('s1.b1.f.c', 6, 1, 6)
                   + conv_params('s1.b1.proj', 6, 1, 4)},
        {'kind': 'head', 'params': [('head.fc.weight', (3, 6), 0.5, 0.0), ('head.fc.bias', (3,), 0.1, 0.0)]},
    ]
    return Net('bottleneck-grouped', spec, 6, layers, rng)


def net_b(rng):
    # res_stem_in 2->3 (7x7 s2 + maxpool 3x3 s2); res_basic_block stage depth 2 width 4 stride 1 (first block has proj).
    spec = {"stem": "res_stem_in", "stemWidth": 3, "block": "res_basic_block",
            "stages": [{"depth": 2, "width": 4, "stride": 1, "bottleneckMultiplier": 1.0, "groupWidth": 1}],
            "inputChannels": 2, "classes": 3}
    layers = [
        {'kind': 'stem', 'stride': 2, 'pool': True, 'params': conv_params('stem', 3, 7, 2)},
        {'kind': 'basic', 'prefix': 's1.b1', 'stride': 1, 'proj': True,
         'params': conv_params('s1.b1.f.a', 4, 3, 3) + conv_params('s1.b1.f.b', 4, 3, 4) + conv_params('s1.b1.proj', 4, 1, 3)},
        {'kind': 'basic', 'prefix': 's1.b2', 'stride': 1, 'proj': False,
         'params': conv_params('s1.b2.f.a', 4, 3, 4) + conv_params('s1.b2.f.b', 4, 3, 4)},
        {'kind': 'head', 'params': [('head.fc.weight', (3, 4), 0.5, 0.0), ('head.fc.bias', (3,), 0.1, 0.0)]},
    ]
    return Net('stem-in-basic', spec, 9, layers, rng)


def cross_entropy(logits, labels):
    top = anp.max(logits, axis=1, keepdims=True)
    z = logits - top
    logsum = anp.log(anp.sum(anp.exp(z), axis=1))
    return anp.mean(logsum - z[np.arange(len(labels)), labels])


def proxies(net, x, labels):
    p0 = net.params
    weights = [k for k in net.order if k.endswith('conv.weight') or k == 'head.fc.weight']

    def loss(p):
        return cross_entropy(net.forward(p, x)[0], labels)

    g = grad(loss)(p0)
    out = {}
    out['grad_norm'] = sum(float(np.sqrt(np.sum(g[w] ** 2))) for w in weights)
    out['snip'] = sum(float(np.sum(np.abs(p0[w] * g[w]))) for w in weights)

    # grasp: Hg = d/dW (g_detached . dL/dW), exact second-order autodiff.
    def gdot(p):
        gp = grad(loss)(p)
        return sum(anp.sum(g[w] * gp[w]) for w in weights)

    hg = grad(gdot)(p0)
    out['grasp'] = sum(float(np.sum(-p0[w] * hg[w])) for w in weights)

    # fisher: per output channel of each conv (before BN) and of the head's logits.
    _, acts = net.forward(p0, x)
    names = list(acts)

    # d L / d act: the forward pass with a zero tensor added to each activation, differentiated in those tensors.
    zero = {k: np.zeros_like(v) for k, v in acts.items()}
    dact = grad(lambda d: cross_entropy(net.forward(p0, x, deltas=d)[0], labels))(zero)
    fisher = 0.0
    for k in names:
        a, da = acts[k], dact[k]
        if a.ndim == 4:
            gnk = np.sum(a * da, axis=(1, 2))
            wname = k + '.conv.weight'
        else:
            gnk = a * da
            wname = 'head.fc.weight'
        per_channel = np.prod(p0[wname].shape[1:])
        fisher += float(np.sum(0.5 * np.mean(gnk ** 2, axis=0)) * per_channel)
    out['fisher'] = fisher

    # jacob_cov
    jac = grad(lambda xx: anp.sum(net.forward(p0, xx)[0]))(x).reshape(x.shape[0], -1)
    lam = np.linalg.eigvalsh(np.corrcoef(jac))
    out['jacob_cov'] = float(-np.sum(np.log(lam + 1e-5) + 1.0 / (lam + 1e-5)))

    # synflow: |params|, BN removed, one all-ones image, R = sum(logits)
    pa = {k: np.abs(v) for k, v in p0.items()}
    ones = np.ones((1,) + x.shape[1:])
    gs = grad(lambda p: anp.sum(net.forward(p, ones, use_bn=False)[0]))(pa)
    out['synflow'] = sum(float(np.sum(np.abs(pa[w] * gs[w]))) for w in weights)
    return out


def main():
    rng = np.random.default_rng(7)
    cases = []
    for make in (net_a, net_b):
        net = make(rng)
        batch = 5
        x = rng.standard_normal((batch, net.input_size, net.input_size, 2)).astype(np.float32).astype(np.float64)
        labels = rng.integers(0, 3, size=batch)
        cases.append({
            'name': net.name, 'spec': net.spec, 'inputSize': net.input_size,
            'parameters': {k: [float(v) for v in net.params[k].ravel()] for k in net.order},
            'images': [float(v) for v in x.ravel()], 'labels': [int(v) for v in labels],
            'scores': proxies(net, x, labels),
        })
    # Eigenvalue reference for the Jacobi solver: a random symmetric 7x7 matrix.
    a = rng.standard_normal((7, 7))
    a = a + a.T
    out = {'cases': cases, 'eigen': {'matrix': [float(v) for v in a.ravel()], 'n': 7,
                                     'eigenvalues': [float(v) for v in np.linalg.eigvalsh(a)]}}
    path = os.path.join(os.path.dirname(__file__), '..', '..', 'Tests', 'ReplayTests', 'golden', 'zero_cost_proxies.json')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')
    for c in cases:
        print(c['name'], c['scores'])


if __name__ == '__main__':
    main()
