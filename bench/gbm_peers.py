"""Peers of bench/gbm_agreement.mjs: scikit-learn's HistGradientBoosting and XGBoost on the
exact training and test rows of one of our runs (split.json), same features, same settings.

Usage: python3 bench/gbm_peers.py DATA.jsonl SPLIT.json DATASET LABEL TASK FEATURES_JSON
Prints one JSON object: {"sklearn": score, "xgboost": score, "versions": ...} (accuracy or R2).
"""
import json
import sys

import numpy as np
import pandas as pd
import sklearn
import xgboost
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, r2_score

data_path, split_path, dataset, label, task, features_json = sys.argv[1:7]
features = json.loads(features_json)
df = pd.read_json(data_path, lines=True)
split = json.load(open(split_path))[dataset]
train, test = split["train"], split["test"]

X = pd.DataFrame(index=df.index)
categorical = []
for f in features:
    col = df[f]
    if col.dtype == object or col.dtype == bool:
        # The same categories as ours: text values, missing as missing; codes for sklearn, category dtype for XGBoost.
        X[f] = col.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) or v == "" else str(v)).astype("category")
        categorical.append(True)
    else:
        X[f] = col.astype(float)
        categorical.append(False)
y_raw = df[label]
if task == "classification":
    classes = sorted({str(v) for v in y_raw.dropna()})
    y = y_raw.map(lambda v: classes.index(str(v)) if v is not None and not (isinstance(v, float) and np.isnan(v)) else -1).to_numpy()
else:
    y = y_raw.astype(float).to_numpy()

# scikit-learn wants categories as ordinal codes (NaN = missing), at most max_bins of them.
X_sk = X.copy()
for f, cat in zip(features, categorical):
    if cat:
        codes = X_sk[f].cat.codes.astype(float)
        X_sk[f] = codes.where(codes >= 0, np.nan)

common = dict(max_iter=100, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=20, l2_regularization=0.0, max_bins=255, early_stopping=False)
if task == "classification":
    sk = HistGradientBoostingClassifier(categorical_features=np.array(categorical), **common)
else:
    sk = HistGradientBoostingRegressor(categorical_features=np.array(categorical), **common)
sk.fit(X_sk.iloc[train], y[train])
sk_pred = sk.predict(X_sk.iloc[test])

xgb_params = dict(n_estimators=100, learning_rate=0.1, max_leaves=31, max_depth=0, grow_policy="lossguide", tree_method="hist", max_bin=255, reg_lambda=0.0, min_child_weight=0, enable_categorical=True, max_cat_to_onehot=1, nthread=1)
if task == "classification":
    n_classes = len(set(y[train]))
    xg = xgboost.XGBClassifier(**xgb_params)
    xg.fit(X.iloc[train], y[train])
    xg_pred = xg.predict(X.iloc[test])
else:
    xg = xgboost.XGBRegressor(**xgb_params)
    xg.fit(X.iloc[train], y[train])
    xg_pred = xg.predict(X.iloc[test])

score = accuracy_score if task == "classification" else r2_score
print(json.dumps({
    "sklearn": float(score(y[test], sk_pred)),
    "xgboost": float(score(y[test], xg_pred)),
    "trainRows": len(train),
    "testRows": len(test),
    "versions": f"scikit-learn {sklearn.__version__}, xgboost {xgboost.__version__}, pandas {pd.__version__}",
}))
