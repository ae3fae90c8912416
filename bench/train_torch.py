#!/usr/bin/python3
"""Peer side of bench/train.mjs: the same models in PyTorch (1 thread) and scikit-learn's
LinearRegression, timed on synthetic rows. Prints one JSON object.
Usage: /usr/bin/python3 bench/train_torch.py ROWS EPOCHS LINEAR_ROWS"""
import json
import sys
import time

import numpy as np
import torch
from sklearn.linear_model import LinearRegression

torch.set_num_threads(1)
rows, epochs, linear_rows = (int(v) for v in sys.argv[1:4])
D = 32
rng = np.random.default_rng(1)


class Net(torch.nn.Module):
    def __init__(self, heads):
        super().__init__()
        self.trunk = torch.nn.Sequential(torch.nn.Linear(D, 64), torch.nn.ReLU(), torch.nn.Linear(64, 32), torch.nn.ReLU())
        self.heads = torch.nn.ModuleList([torch.nn.Linear(32, u) for u in heads])

    def forward(self, x):
        z = self.trunk(x)
        return [h(z) for h in self.heads]


def mlp(heads, n, n_epochs):
    x = torch.tensor(rng.uniform(-1, 1, (n, D)), dtype=torch.float32)
    head_of = torch.arange(n) % len(heads)
    ys = [torch.tensor(rng.integers(0, u, n)) for u in heads]
    masks = [(head_of == h).float() for h in range(len(heads))]
    net = Net(heads)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def epoch(limit):
        perm = torch.randperm(limit)
        for s in range(0, limit, 256):
            idx = perm[s:s + 256]
            outs = net(x[idx])
            total = 0
            for h in range(len(heads)):
                w = masks[h][idx]
                sw = w.sum()
                if sw > 0:
                    row = torch.nn.functional.cross_entropy(outs[h], ys[h][idx], reduction="none")
                    total = total + (row * w).sum() / sw
            opt.zero_grad()
            total.backward()
            opt.step()
            total.item()  # read the loss each batch, as our loop does for progress and NaN checks

    epoch(min(n, 30000))  # warm-up
    t0 = time.perf_counter()
    for _ in range(n_epochs):
        epoch(n)
    return n * n_epochs / (time.perf_counter() - t0)


def linear(n):
    x = rng.uniform(-1, 1, (n, D)).astype(np.float32)
    y = x @ ((np.arange(D) - 16) * 0.1) + 0.5 + rng.uniform(0, 0.1, n)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        LinearRegression().fit(x, y)
        times.append(time.perf_counter() - t0)
    return sorted(times)[2]


out = {"torch": torch.__version__, "threads": torch.get_num_threads()}
out["multihead"] = mlp([3, 4], rows, epochs)
out["merged"] = mlp([3], rows, epochs)
out["linear"] = linear(linear_rows)
print(json.dumps(out))
