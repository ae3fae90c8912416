#!/usr/bin/env python3
"""Exact KS and Wasserstein-1 of every numeric column of two CSVs with scipy, in chunks.

The peer figures for bench/stream.mjs: the files are read with pandas in 1M-row chunks, each
numeric column gathered into one float64 array per file (missing cells dropped), then
scipy.stats.ks_2samp (asymptotic) and scipy.stats.wasserstein_distance on the whole columns.
Prints one JSON document: {column: {"ks": .., "wasserstein": .., "n": [.., ..]}}.
    /usr/bin/python3 bench/stream_scipy.py A.csv B.csv
"""
import json
import sys

import numpy as np
import pandas as pd
import scipy
from scipy import stats


def columns(path):
    parts = {}
    for chunk in pd.read_csv(path, chunksize=1_000_000, low_memory=False):
        for name in chunk.columns:
            if pd.api.types.is_numeric_dtype(chunk[name]):
                v = chunk[name].to_numpy(dtype=np.float64)
                parts.setdefault(name, []).append(v[~np.isnan(v)])
    return {k: np.concatenate(v) for k, v in parts.items()}


def main():
    a = columns(sys.argv[1])
    b = columns(sys.argv[2])
    out = {"scipy": scipy.__version__, "pandas": pd.__version__, "columns": {}}
    for name in a:
        if name not in b:
            continue
        out["columns"][name] = {
            "n": [int(len(a[name])), int(len(b[name]))],
            "ks": float(stats.ks_2samp(a[name], b[name], method="asymp").statistic),
            "wasserstein": float(stats.wasserstein_distance(a[name], b[name])),
        }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
