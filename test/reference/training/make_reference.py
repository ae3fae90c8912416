#!/usr/bin/python3
"""Reference values for the training engine's metrics and linear models, computed with
scikit-learn (Debian python3-sklearn). Run: /usr/bin/python3 test/reference/training/make_reference.py
Writes metrics.json and linear.json next to this script; the unit tests only read them.
(linear.json's fitted coefficients move in their last digit between BLAS builds; regenerate it
only when its inputs change.)"""
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score, mean_absolute_error,
                             mean_squared_error, precision_recall_fscore_support, r2_score)

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261128)

cases = []
# Classification: random labels, a class never predicted, a class only predicted, perfect.
specs = [(200, 3, 0.6), (57, 5, 0.3), (31, 4, 0.0), (40, 2, 1.0)]
for n, k, agree in specs:
    y_true = rng.integers(0, k, n)
    y_pred = np.where(rng.random(n) < agree, y_true, rng.integers(0, k, n))
    if k >= 4:
        y_pred[y_pred == k - 1] = 0          # class k-1 never predicted
        y_true[y_true == k - 2] = 0          # class k-2 only predicted (if ever)
    labels = sorted(set(y_true.tolist()) | set(y_pred.tolist()))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    cases.append({
        "kind": "classification",
        "yTrue": y_true.tolist(), "yPred": y_pred.tolist(),
        "accuracy": accuracy_score(y_true, y_pred),
        "macroF1": f1_score(y_true, y_pred, average="macro", zero_division=0),
        "labels": labels,
        "precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(), "support": s.tolist(),
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    })
# A dataset's metrics under the merged arm (metrics.ts `own`): its true labels come from its own
# classes, the model may predict another dataset's; macro-F1 and per-class figures average over
# the dataset's classes present among the true or predicted labels. Own generator, so the cases
# above and linear.json keep their values.
own_rng = np.random.default_rng(20261201)
own_specs = [
    # (rows, own classes, classes of the union, share predicted right, share predicted foreign)
    (300, [0, 1], 5, 0.9, 0.05),        # spam/ham beside three eras: a few rows called an era
    (120, [2, 3, 4], 5, 0.7, 0.1),      # the eras beside spam/ham
    (80, [1, 3, 5, 6], 7, 0.6, 0.2),    # own class 6 never occurs in these rows: left out
    (50, [0, 1, 2], 4, 0.5, 0.0),       # own class 2 only predicted: counted, F1 0
]
for n, own, k, agree, foreign in own_specs:
    present_own = own[:-1] if n == 80 else own
    true_pool = own[:2] if n == 50 else present_own
    y_true = own_rng.choice(true_pool, n)
    others = [c for c in range(k) if c not in own]
    r = own_rng.random(n)
    y_pred = np.where(r < agree, y_true, own_rng.choice(present_own, n))
    if others:
        y_pred = np.where(r > 1 - foreign, own_rng.choice(others, n), y_pred)
    present = sorted(set(y_true.tolist()) | set(y_pred.tolist()))
    labels = [c for c in present if c in own]
    p, r_, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    cases.append({
        "kind": "classification",
        "own": own,
        "yTrue": y_true.tolist(), "yPred": y_pred.tolist(),
        "accuracy": accuracy_score(y_true, y_pred),
        "macroF1": f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0),
        # every class present, as the confusion matrix keeps them
        "confusionLabels": present,
        "labels": labels,
        "precision": p.tolist(), "recall": r_.tolist(), "f1": f.tolist(), "support": s.tolist(),
        "confusion": confusion_matrix(y_true, y_pred, labels=present).tolist(),
        # scikit-learn's default (every class present) for contrast: what the merged arm reported before
        "macroF1AllPresent": f1_score(y_true, y_pred, average="macro", zero_division=0),
    })
for n, noise in [(100, 0.5), (23, 5.0)]:
    y_true = rng.normal(3, 2, n)
    y_pred = y_true + rng.normal(0, noise, n)
    cases.append({
        "kind": "regression", "yTrue": y_true.tolist(), "yPred": y_pred.tolist(),
        "r2": r2_score(y_true, y_pred), "mae": mean_absolute_error(y_true, y_pred),
        "rmse": float(np.sqrt(mean_squared_error(y_true, y_pred))),
    })
with open(os.path.join(here, "metrics.json"), "w") as fh:
    json.dump({"generator": f"scikit-learn {sklearn.__version__}", "cases": cases}, fh)

# Linear models on fixed data.
n, d = 300, 4
x = rng.normal(0, 1, (n, d))
y = x @ np.array([1.5, -2.0, 0.3, 0.0]) + 0.7 + rng.normal(0, 0.5, n)
ols = LinearRegression().fit(x, y)
logits = x @ np.array([[1.0, -1.0, 0.0], [0.5, 0.5, -1.0], [0.0, 1.0, -1.0], [0.2, 0.0, 0.0]])
cls = np.array([np.argmax(l + rng.gumbel(size=3)) for l in logits])
l2 = 0.01
# Ours: mean cross-entropy + l2/2 ||W||^2  <=>  sklearn C = 1 / (n * l2).
logit = LogisticRegression(C=1.0 / (n * l2), tol=1e-10, max_iter=10000).fit(x, cls)
with open(os.path.join(here, "linear.json"), "w") as fh:
    json.dump({
        "generator": f"scikit-learn {sklearn.__version__}",
        "x": x.tolist(), "y": y.tolist(), "classes": cls.tolist(), "l2": l2,
        "ols": {"coef": ols.coef_.tolist(), "intercept": float(ols.intercept_)},
        "logistic": {"coef": logit.coef_.tolist(), "intercept": logit.intercept_.tolist(),
                     "proba": logit.predict_proba(x[:10]).tolist()},
    }, fh)
print("wrote metrics.json and linear.json")
