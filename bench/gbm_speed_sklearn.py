"""scikit-learn's side of bench/gbm_speed.mjs: HistGradientBoosting on the shared binary matrix,
fit timed in-process, wall and CPU (its fit bins the features from a 200,000-row subsample too).
Usage: python3 bench/gbm_speed_sklearn.py X.f64 Y.f64 ROWS COLS regression|classification ITERATIONS"""
import json
import sys
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

x_file, y_file, rows, cols, task, iterations = sys.argv[1:7]
n, d = int(rows), int(cols)
X = np.fromfile(x_file, dtype=np.float64, count=n * d).reshape(n, d)
y = np.fromfile(y_file, dtype=np.float64, count=n)
params = dict(max_iter=int(iterations), learning_rate=0.1, max_leaf_nodes=31, max_depth=None, min_samples_leaf=20, l2_regularization=0.0, max_bins=255, early_stopping=False)
model = HistGradientBoostingClassifier(**params) if task == "classification" else HistGradientBoostingRegressor(**params)
t0 = time.perf_counter()
c0 = time.process_time()
model.fit(X, y)
seconds = time.perf_counter() - t0
cpu_seconds = time.process_time() - c0
print(json.dumps({"trainScore": float(model.score(X, y)), "iterations": int(model.n_iter_)}))
print(f"fit_s={seconds}", file=sys.stderr)
print(f"cpu_s={cpu_seconds}", file=sys.stderr)
