"""Peer for bench/text_agreement.mjs: scikit-learn TF-IDF + logistic regression per dataset, on
the identical split a Dataset Lab run used (its split.json: 0-based data rows of each CSV).

As a careful user writes it: TfidfVectorizer with its defaults (word unigrams, smooth idf,
l2 norm) fitted on the training rows, LogisticRegression (lbfgs, C=1, max_iter=2000) on the
training and validation rows (the peer has no early stopping, so it gets the validation rows
too: a stronger peer), scored on the test rows. Prints JSON: per dataset, accuracy, macro-F1 and
per-class F1. Usage: python3 bench/text_peer.py RUN_DIR
"""
import json
import os
import sys

import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

run = sys.argv[1]
exp = json.load(open(os.path.join(run, 'experiment.json')))
split = json.load(open(os.path.join(run, 'split.json')))
text_col = exp['features'][0]
out = {}
for d in exp['datasets']:
    df = pd.read_csv(d['absPath'], keep_default_na=False, dtype=str)
    s = split[d['name']]
    fit_rows = s['train'] + s['validation']
    vec = TfidfVectorizer()
    x_fit = vec.fit_transform(df[text_col].iloc[s['train']])
    x_fit = vec.transform(df[text_col].iloc[fit_rows])
    y_fit = df[d['label']].iloc[fit_rows]
    clf = LogisticRegression(max_iter=2000).fit(x_fit, y_fit)
    y_true = df[d['label']].iloc[s['test']]
    y_pred = clf.predict(vec.transform(df[text_col].iloc[s['test']]))
    labels = sorted(set(y_true) | set(y_pred))
    out[d['name']] = {
        'accuracy': accuracy_score(y_true, y_pred),
        'macroF1': f1_score(y_true, y_pred, average='macro'),
        'perClass': dict(zip(labels, f1_score(y_true, y_pred, average=None, labels=labels).tolist())),
        'vocabulary': len(vec.vocabulary_),
        'test': len(s['test']),
    }
print(json.dumps(out))
