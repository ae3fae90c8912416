"""Reference column profiles for examples/weather/*.csv, computed with pandas/numpy.

Run from the repository root:  /usr/bin/python3 test/reference/profile-weather.py
Writes test/reference/profile-weather.json, which test/unit/core/profile.test.ts reads.
Conventions mirror src/core/profile.ts: std with ddof=1, numpy 'linear' quantiles,
numpy.histogram with 20 equal-width bins, value_counts for categories. A column of ISO dates
is a datetime column (count, missing and distinct here; its profile in test/reference/kinds).
"""
import glob
import json
import os

import numpy as np
import pandas as pd

MISSING = ["", "NA", "N/A", "NaN", "null", "?"]
QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
BINS = 20


def profile(path):
    df = pd.read_csv(path, keep_default_na=False, na_values=MISSING, dtype=None)
    columns = []
    for name in df.columns:
        s = df[name]
        values = s.dropna()
        entry = {"name": name, "count": int(values.size), "missing": int(s.isna().sum()),
                 "distinct": int(values.nunique())}
        dates = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce") if values.dtype == object else None
        if dates is not None and dates.notna().all():
            # A date column: its full profile is checked in test/reference/kinds/kinds.json.
            entry.update({"type": "datetime"})
        elif pd.api.types.is_numeric_dtype(s):
            x = values.to_numpy(dtype=np.float64)
            counts, edges = np.histogram(x, bins=BINS)
            entry.update({
                "type": "numeric",
                "mean": float(x.mean()),
                "std": float(values.std(ddof=1)),
                "min": float(x.min()),
                "max": float(x.max()),
                "quantiles": [{"q": q, "value": float(np.quantile(x, q, method="linear"))} for q in QUANTILES],
                "histogram": {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]},
            })
        else:
            vc = values.astype(str).value_counts(sort=True)
            entry.update({
                "type": "categorical",
                "categories": {str(k): int(v) for k, v in vc.items()},
            })
        columns.append(entry)
    # For the arquero bridge test: a groupby and a filter on the same data.
    groups = df.groupby("weather")["temp_max"].agg(["count", "mean"])
    wet = df[df["precipitation"] > 0]
    transforms = {
        "temp_max_by_weather": {str(k): {"count": int(r["count"]), "mean": float(r["mean"])} for k, r in groups.iterrows()},
        "wet_days": {"rows": int(len(wet)), "mean_wind": float(wet["wind"].mean())},
    }
    return {"file": os.path.relpath(path), "rows": int(len(df)), "columns": columns, "transforms": transforms}


files = sorted(glob.glob("examples/weather/*.csv"))
out = {"generator": "test/reference/profile-weather.py", "pandas": pd.__version__, "numpy": np.__version__,
       "quantiles": QUANTILES, "bins": BINS, "datasets": [profile(f) for f in files]}
with open("test/reference/profile-weather.json", "w") as fh:
    json.dump(out, fh, indent=1)
    fh.write("\n")
