"""Reference values for the language server's outlier and hover numbers, from pandas / scipy.

Reads test/fixtures/server/quality.csv and types.csv and writes robust-z.json beside this script:
median, MAD (scipy.stats.median_abs_deviation, unscaled), the Iglewicz-Hoaglin modified z-score
0.6745 * (x - median) / MAD of every value above 3.5 in absolute value, and mean / sample std
(pandas, ddof=1) / min / max of the numeric columns. Run: /usr/bin/python3 test/reference/server/robust_z.py
"""
import json
import os

import numpy as np
import pandas as pd
from scipy.stats import median_abs_deviation

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "fixtures", "server")


def column_reference(series):
    x = series.dropna().to_numpy(dtype=float)
    median = float(np.median(x))
    mad = float(median_abs_deviation(x, scale=1.0))
    z = 0.6745 * (x - median) / mad if mad > 0 else np.zeros_like(x)
    rows = [int(i) for i in np.nonzero(np.abs(z) > 3.5)[0]]
    return {
        "count": int(x.size),
        "mean": float(np.mean(x)),
        "std": float(series.dropna().astype(float).std(ddof=1)),
        "min": float(np.min(x)),
        "max": float(np.max(x)),
        "median": median,
        "mad": mad,
        "outliers": [{"row": r, "value": float(x[r]), "z": float(z[r])} for r in rows],
    }


quality = pd.read_csv(os.path.join(FIXTURES, "quality.csv"))
types = pd.read_csv(os.path.join(FIXTURES, "types.csv"), na_values=["n/a"], thousands=None)
price = pd.to_numeric(types["price"], errors="coerce")
out = {
    "source": "pandas " + pd.__version__ + ", numpy " + np.__version__ + ", scipy.stats.median_abs_deviation",
    "quality.csv": {"value": column_reference(quality["value"])},
    "types.csv": {"price": column_reference(price)},
}
with open(os.path.join(HERE, "robust-z.json"), "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")
print(json.dumps(out, indent=2))
