#!/usr/bin/python3
"""Statistics benchmark, the peer: the same operations with Debian's scipy / numpy / sklearn on
the samples written by bench/stats.mjs. Prints one JSON object { op: [milliseconds of each
repetition] } and, under "_threadpools", the BLAS / OpenMP pools threadpoolctl saw after the work
(bench/stats.mjs runs it without this machine's OpenBLAS overrides, at the default threads and
with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1)."""
import json
import os
import sys
import time

import numpy as np
import scipy.stats as st
import threadpoolctl
from scipy.spatial.distance import jensenshannon
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

d, reps = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
load = lambda n: np.fromfile(os.path.join(d, n + '.f64'), dtype='<f8')
big1, big2, e1, e2, e3, counts = (load(n) for n in ('big1', 'big2', 'exact1', 'exact2', 'exact3', 'counts'))
X = load('domain').reshape(20000, 12)
y = np.r_[np.zeros(10000, int), np.ones(10000, int)]


def hist_psi_js():
    edges = np.histogram_bin_edges(np.concatenate([big1, big2]), bins=30)
    a = np.histogram(big1, edges)[0]
    b = np.histogram(big2, edges)[0]
    p, q = a / a.sum(), b / b.sum()
    p, q = np.where(p == 0, 1e-4, p), np.where(q == 0, 1e-4, q)
    return np.sum((p - q) * np.log(p / q)), jensenshannon(a, b)


def domain():
    aucs = []
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
        clf = HistGradientBoostingClassifier(max_depth=2, max_iter=30, learning_rate=0.1, early_stopping=False)
        clf.fit(X[tr], y[tr])
        aucs.append(roc_auc_score(y[te], clf.decision_function(X[te])))
    return np.mean(aucs)


ops = {
    'ks 1M x 1M (asymp)': lambda: st.ks_2samp(big1, big2),
    'wasserstein 1M x 1M': lambda: st.wasserstein_distance(big1, big2),
    'histogram+psi+js 1M x 1M': hist_psi_js,
    'ks exact 10000 x 9999, small D': lambda: st.ks_2samp(e1, e2),
    'ks exact 10000 x 9999, large D': lambda: st.ks_2samp(e1, e3),
    'chi2 2 x 200 categories': lambda: st.chi2_contingency(np.array([counts[:200], counts[200:400]])),
    'domain classifier 2 x 10k x 12, 5-fold': domain,
}
out = {}
for name, f in ops.items():
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        times.append((time.perf_counter() - t0) * 1000)
    out[name] = times
out["_threadpools"] = [{k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads")} for p in threadpoolctl.threadpool_info()]
print(json.dumps(out))
