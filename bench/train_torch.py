#!/usr/bin/python3
"""Peer side of bench/train.mjs: the same models as bench/train_ours.ts, written the way a
careful PyTorch / numpy user writes them, timed on the same synthetic rows. Prints one JSON
object (last line).

Usage: /usr/bin/python3 bench/train_torch.py ROWS EPOCHS LINEAR_ROWS THREADS
  THREADS: a number pins PyTorch's intra-op pool and every BLAS/OpenMP pool (threadpoolctl) to
  that many threads; "default" leaves each library at its own default.

What the networks match in ours (src/training/network.ts, fusedDense.ts):
- trunk Linear(32,64)-ReLU-Linear(64,32)-ReLU and, for the multi-head model, ONE output layer
  with 3 + 4 columns, sliced per head (ours fuses the heads' output layers the same way);
- each head's cross-entropy only over the batch rows labelled for that head (ours masks the
  other rows out of that head's loss; here they are selected, with no mask arithmetic);
- Adam(lr 1e-3, foreach=True), zero_grad(set_to_none=True), the loss read every batch
  (ours reads it for progress and the NaN check); no DataLoader (ours has none).
"""
import json
import sys
import time

import numpy as np
import scipy.linalg
import sklearn
import threadpoolctl
import torch
from sklearn.linear_model import LinearRegression

rows, epochs, linear_rows = (int(v) for v in sys.argv[1:4])
threads = sys.argv[4] if len(sys.argv) > 4 else "1"
limits = None
if threads != "default":
    torch.set_num_threads(int(threads))
    limits = threadpoolctl.threadpool_limits(int(threads))
D = 32
BATCH = 256
rng = np.random.default_rng(1)


class Net(torch.nn.Module):
    def __init__(self, units):
        super().__init__()
        self.trunk = torch.nn.Sequential(torch.nn.Linear(D, 64), torch.nn.ReLU(), torch.nn.Linear(64, 32), torch.nn.ReLU())
        self.out = torch.nn.Linear(32, units)

    def forward(self, x):
        return self.out(self.trunk(x))


def mlp(heads, n, n_epochs):
    x = torch.tensor(rng.uniform(-1, 1, (n, D)), dtype=torch.float32)
    # Multi-head: even rows belong to head 0, odd rows to head 1 (as in train_ours.ts).
    head_of = torch.arange(n) % len(heads)
    y = torch.zeros(n, dtype=torch.long)
    for h, u in enumerate(heads):
        rows_h = head_of == h
        y[rows_h] = torch.tensor(rng.integers(0, u, int(rows_h.sum())))
    offsets = np.cumsum([0] + heads).tolist()
    net = Net(sum(heads))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, foreach=True)
    cross_entropy = torch.nn.functional.cross_entropy

    def epoch(limit):
        perm = torch.randperm(limit)
        for s in range(0, limit, BATCH):
            idx = perm[s:s + BATCH]
            xb = x[idx]
            yb = y[idx]
            out = net(xb)
            if len(heads) == 1:
                loss = cross_entropy(out, yb)
            else:
                hb = head_of[idx]
                loss = 0
                for h in range(len(heads)):
                    rows_h = hb == h
                    loss = loss + cross_entropy(out[rows_h, offsets[h]:offsets[h + 1]], yb[rows_h])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss.item()  # read every batch, as ours does (progress and the NaN check)

    epoch(min(n, 30000))  # warm-up, as ours
    t0 = time.perf_counter()
    for _ in range(n_epochs):
        epoch(n)
    return n * n_epochs / (time.perf_counter() - t0)


def linear_data(n):
    # float32 values like ours (its features are Float32Array), held as float64 here because
    # that is the dtype of the fit; the conversion is not timed.
    x = rng.uniform(-1, 1, (n, D)).astype(np.float32).astype(np.float64)
    y = x @ ((np.arange(D) - 16) * 0.1) + 0.5 + rng.uniform(0, 0.1, n)
    return x, y


def normal_equations(x, y):
    """Least squares with intercept by the normal equations of the centred data and Cholesky,
    in float64: the algorithm of ours (src/training/linear.ts fitLeastSquares)."""
    mx = x.mean(axis=0)
    my = y.mean()
    xc = x - mx
    a = xc.T @ xc  # numpy calls BLAS syrk for X^T X
    b = xc.T @ (y - my)
    beta = scipy.linalg.cho_solve(scipy.linalg.cho_factor(a, lower=True, check_finite=False), b, check_finite=False)
    return beta, my - mx @ beta


def timed(fn, reps=5):
    """(median, first) of reps calls: the first includes any one-time start-up cost."""
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return sorted(times)[reps // 2], times[0]


out = {
    "torch": torch.__version__,
    "numpy": np.__version__,
    "sklearn": sklearn.__version__,
    "threadsRequested": threads,
    "torchThreads": torch.get_num_threads(),
    "threadpools": [{k: p.get(k) for k in ("internal_api", "version", "architecture", "threading_layer", "num_threads")} for p in threadpoolctl.threadpool_info()],
}
out["multihead"] = mlp([3, 4], rows, epochs)
out["merged"] = mlp([3], rows, epochs)
lx, ly = linear_data(linear_rows)
out["numpyNormalEquations"], out["numpyNormalEquationsFirst"] = timed(lambda: normal_equations(lx, ly))
out["sklearnLinearRegression"], out["sklearnLinearRegressionFirst"] = timed(lambda: LinearRegression().fit(lx, ly))
print(json.dumps(out))
