#!/usr/bin/python3
"""Reference values for src/core/domainClassifier.ts and src/core/stats/rocAuc.ts (sklearn 1.2).

Run:  /usr/bin/python3 test/reference/stats/make_domain_reference.py
Writes domain.json next to this script:
- roc: sklearn.metrics.roc_auc_score on scores with many ties;
- cv:  per real dataset pair, the rows' features (NaN as null), labels, the folds of
       StratifiedKFold(5, shuffle=True, random_state=0), and the held-out ROC AUC per fold of
       HistGradientBoostingClassifier with the same settings as ours (depth 2, 30 iterations,
       learning rate 0.1, 20 rows per leaf, 255 bins, no L2, no early stopping).
"""
import csv
import json
import math
import os

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))


def weather(city):
    with open(os.path.join(ROOT, 'examples', 'weather', city + '.csv'), newline='') as f:
        rows = list(csv.DictReader(f))
    cols = ('precipitation', 'temp_max', 'temp_min', 'wind')
    return [[float(r[c]) if r[c] not in ('', 'NA') else math.nan for c in cols] for r in rows], list(cols)


def records(name, fields, key, value):
    with open(os.path.join(HERE, 'data', name)) as f:
        data = json.load(f)
    out = []
    for r in data:
        if r.get(key) == value:
            out.append([float(r[c]) if r.get(c) is not None else math.nan for c in fields])
    return out


def cv_case(name, X, y):
    X = np.asarray(X, float)
    y = np.asarray(y, int)
    folds = np.zeros(len(y), int)
    for k, (_, test) in enumerate(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y)):
        folds[test] = k
    aucs = []
    for k in range(5):
        tr, te = folds != k, folds == k
        clf = HistGradientBoostingClassifier(max_depth=2, max_iter=30, learning_rate=0.1, min_samples_leaf=20,
                                             l2_regularization=0.0, max_bins=255, early_stopping=False,
                                             random_state=0)
        clf.fit(X[tr], y[tr])
        aucs.append(float(roc_auc_score(y[te], clf.decision_function(X[te]))))
    return {'name': name, 'columns': [[None if math.isnan(v) else v for v in X[:, j]] for j in range(X.shape[1])],
            'isOther': [int(v) for v in y], 'folds': [int(v) for v in folds], 'foldAucs': aucs,
            'auc': float(np.mean(aucs))}


cases = []
sea, cols = weather('seattle')
nyc, _ = weather('new-york')
cases.append(cv_case('weather seattle vs new-york', sea + nyc, [0] * len(sea) + [1] * len(nyc)))
# Same pair with missing values punched in (every 7th Seattle temp_min, every 5th NY wind).
sea_m = [r[:] for r in sea]
nyc_m = [r[:] for r in nyc]
for i in range(0, len(sea_m), 7):
    sea_m[i][2] = math.nan
for i in range(0, len(nyc_m), 5):
    nyc_m[i][3] = math.nan
cases.append(cv_case('weather with missing values', sea_m + nyc_m, [0] * len(sea_m) + [1] * len(nyc_m)))
rs = np.random.RandomState(3)
perm = rs.permutation(len(sea))
half = len(sea) // 2
cases.append(cv_case('seattle shuffled halves', [sea[i] for i in perm], [0] * half + [1] * (len(sea) - half)))
carf = ['Miles_per_Gallon', 'Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration']
usa = records('cars.json', carf, 'Origin', 'USA')
jpn = records('cars.json', carf, 'Origin', 'Japan')
cases.append(cv_case('cars USA vs Japan (horsepower has missing values)', usa + jpn, [0] * len(usa) + [1] * len(jpn)))
pf = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)']
ade = records('penguins.json', pf, 'Species', 'Adelie')
chi = records('penguins.json', pf, 'Species', 'Chinstrap')
cases.append(cv_case('penguins Adelie vs Chinstrap', ade + chi, [0] * len(ade) + [1] * len(chi)))

roc = []
rs = np.random.RandomState(11)
for n, levels in ((10, 3), (200, 5), (1000, 50), (5000, 100000)):
    labels = rs.randint(0, 2, n)
    scores = np.round(rs.normal(labels * 0.5, 1, n) * levels) / levels
    roc.append({'scores': [float(s) for s in scores], 'labels': [int(v) for v in labels],
                'auc': float(roc_auc_score(labels, scores))})
roc.append({'scores': [0.5] * 6, 'labels': [0, 1, 0, 1, 1, 0], 'auc': float(roc_auc_score([0, 1, 0, 1, 1, 0], [0.5] * 6))})
roc.append({'scores': [0.1, 0.2, 0.3, 0.4], 'labels': [0, 0, 1, 1], 'auc': 1.0})

with open(os.path.join(HERE, 'domain.json'), 'w') as f:
    json.dump({'meta': {'generator': 'test/reference/stats/make_domain_reference.py', 'sklearn': sklearn.__version__,
                        'numpy': np.__version__}, 'roc': roc, 'cv': cases}, f, separators=(',', ':'))
for c in cases:
    print(c['name'], round(c['auc'], 4), [round(a, 4) for a in c['foldAucs']])
