#!/usr/bin/python3
"""Reference counts for src/training/leakage.ts, computed with pandas (Debian python3-pandas)
on the bundled examples and the exact split of a run of each (split.json).
Run from the repository root, after `node dist/cli.js run examples/X.experiment.json`:
  /usr/bin/python3 test/reference/training/leakage.py examples/weather.experiment.json RUN_DIR [EXP RUN_DIR ...] \
      > test/reference/training/leakage.json
Rows are compared on the experiment's feature columns; a missing value equals a missing value."""
import json
import os
import sys

import pandas as pd

MISSING = "\0missing"
out = {}
args = sys.argv[1:]
for exp_path, run_dir in zip(args[0::2], args[1::2]):
    exp = json.load(open(exp_path))
    split = json.load(open(os.path.join(run_dir, "split.json")))
    features = json.load(open(os.path.join(run_dir, "results.json")))["features"]
    base = os.path.dirname(exp_path)
    frames = {d["name"]: pd.read_csv(os.path.join(base, d["path"])) for d in exp["datasets"]}

    def keys(name, part):
        rows = split[name][part]
        df = frames[name].loc[rows, features].astype(object).where(frames[name].loc[rows, features].notna(), MISSING)
        return [tuple(r) for r in df.itertuples(index=False, name=None)]

    train = {n: set(keys(n, "train")) for n in frames}
    pooled = set().union(*train.values())
    counts = {}
    for n in frames:
        test = keys(n, "test")
        every = keys(n, "train") + keys(n, "validation") + test
        others = set()
        for m in frames:
            if m != n:
                others.update(keys(m, "train") + keys(m, "validation") + keys(m, "test"))
        counts[n] = {
            "testRows": len(test),
            "testSeenInOwnTrain": sum(k in train[n] for k in test),
            "testSeenInPooledTrain": sum(k in pooled for k in test),
            "sharedWithOtherDatasets": sum(k in others for k in every),
        }
    out[exp["name"]] = {"experiment": exp_path, "features": features, "split": split, "counts": counts}
json.dump({"pandas": pd.__version__, "experiments": out}, sys.stdout)
