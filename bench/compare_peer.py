#!/usr/bin/python3
"""Peer for bench/compare.mjs: the analysis `dataset-lab compare A B --label COL --json` runs,
written the way a pandas / scipy / scikit-learn user would: read both files; per shared numeric
feature KS, Wasserstein-1, a 30-bin pooled histogram with PSI and Jensen-Shannon, mean and std,
distinct count; per categorical feature aligned counts with chi-squared, JS and PSI; the label's
counts with chi-squared and JS; a domain classifier (HistGradientBoosting, depth 2, 30
iterations, on 10,000 sampled rows per side, numeric features as they are and categoricals of at
most 20 categories one-hot, 5-fold stratified ROC AUC); one JSON document on stdout.
Prints inprocess_s= on stderr: the time after the imports (read + analysis + JSON).
Usage: /usr/bin/python3 bench/compare_peer.py A B LABEL"""
import json
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

MISSING = ["", "NA", "N/A", "NaN", "null", "?"]


def psi(a, b, eps=1e-4):
    p, q = a / a.sum(), b / b.sum()
    p, q = np.where(p == 0, eps, p), np.where(q == 0, eps, q)
    return float(np.sum((p - q) * np.log(p / q)))


def categorical(a, b):
    counts = pd.concat([a.value_counts(), b.value_counts()], axis=1).fillna(0).to_numpy().T
    chi2, p, dof, _ = stats.chi2_contingency(counts)
    return {"chi2": float(chi2), "pvalue": float(p), "dof": int(dof), "jensenShannon": float(jensenshannon(counts[0], counts[1])), "psi": psi(counts[0], counts[1])}


def main():
    a_path, b_path, label = sys.argv[1:4]
    t0 = time.perf_counter()
    A = pd.read_csv(a_path, na_values=MISSING, keep_default_na=False)
    B = pd.read_csv(b_path, na_values=MISSING, keep_default_na=False)
    shared = [c for c in A.columns if c in B.columns and c != label]
    features = {}
    for c in shared:
        if pd.api.types.is_numeric_dtype(A[c]) and pd.api.types.is_numeric_dtype(B[c]):
            a, b = A[c].dropna().to_numpy(), B[c].dropna().to_numpy()
            ks = stats.ks_2samp(a, b)
            edges = np.histogram_bin_edges(np.concatenate([a, b]), bins=30)
            ha, hb = np.histogram(a, edges)[0], np.histogram(b, edges)[0]
            features[c] = {
                "type": "numeric", "ks": float(ks.statistic), "ksPvalue": float(ks.pvalue),
                "wasserstein": float(stats.wasserstein_distance(a, b)), "psi": psi(ha, hb),
                "jensenShannon": float(jensenshannon(ha, hb)), "referenceMean": float(a.mean()),
                "otherMean": float(b.mean()), "referenceStd": float(a.std()),
                "distinct": int(pd.unique(np.concatenate([a, b])).size), "histogram": [ha.tolist(), hb.tolist()],
            }
        else:
            features[c] = {"type": "categorical", **categorical(A[c].dropna().astype(str), B[c].dropna().astype(str))}
    labels = categorical(A[label].dropna().astype(str), B[label].dropna().astype(str))

    # Domain classifier on sampled rows.
    sa, sb = A.sample(min(len(A), 10000), random_state=42), B.sample(min(len(B), 10000), random_state=43)
    both = pd.concat([sa[shared], sb[shared]], ignore_index=True)
    cols = []
    for c in shared:
        if features[c]["type"] == "numeric":
            cols.append(both[c].astype(float))
        elif both[c].nunique() <= 20:
            cols.append(pd.get_dummies(both[c], prefix=c, dtype=float).where(both[c].notna(), np.nan))
    X = pd.concat(cols, axis=1).to_numpy()
    y = np.r_[np.zeros(len(sa), int), np.ones(len(sb), int)]
    aucs = []
    for train, test in StratifiedKFold(5, shuffle=True, random_state=42).split(X, y):
        clf = HistGradientBoostingClassifier(max_depth=2, max_iter=30, learning_rate=0.1, min_samples_leaf=20, early_stopping=False)
        clf.fit(X[train], y[train])
        aucs.append(roc_auc_score(y[test], clf.decision_function(X[test])))
    auc = float(np.mean(aucs))
    doc = json.dumps({"features": features, "label": labels, "domainClassifier": {"auc": auc, "score": max(0.0, min(1.0, 2 * auc - 1)), "foldAucs": aucs}})
    sys.stdout.write(doc + "\n")
    sys.stdout.flush()
    sys.stderr.write("inprocess_s=%r\n" % (time.perf_counter() - t0))


main()
