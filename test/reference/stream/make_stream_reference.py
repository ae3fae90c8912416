#!/usr/bin/env python3
"""Reference values for the streaming comparison (test/unit/core/stream/streamCompare.test.ts).

Writes the two CSV files the test writes (the same seeded mulberry32 generator, integer cells
only, so both languages produce the same bytes), then computes with scipy 1.10 / numpy the exact
figures the sketches approximate: two-sample KS (scipy.stats.ks_2samp), Wasserstein-1
(scipy.stats.wasserstein_distance), the numpy quantiles, and the 30-bin pooled histograms.
Run with /usr/bin/python3 from the repository root:
    /usr/bin/python3 test/reference/stream/make_stream_reference.py
It writes test/reference/stream/stream_reference.json (the CSV files go to a temporary folder).
"""
import json
import os
import tempfile

import numpy as np
import scipy
from scipy import stats

from mulberry import mulberry32  # this folder: src/core/random.ts bit for bit


def make_rows(n, seed, shifted):
    """Rows of (x, y, k, c): x ~ normal (Irwin-Hall) in thousandths, y heavy-tailed, k discrete, c a category."""
    r = mulberry32(seed)
    rows = []
    for i in range(n):
        s = 0.0
        for _ in range(12):
            s += r()
        z = s - 6.0
        x = int(np.floor((z * 1.1 + 0.2 if shifted else z) * 1000.0))
        u = r()
        y = int(np.floor(1000.0 / (u + (0.012 if shifted else 0.01))))
        u = r()
        k = int(np.floor((u * u if shifted else u) * 20.0))
        u = r()
        c = "c%d" % int(np.floor((u if shifted else u * u) * 50.0))
        rows.append(("" if i % 97 == 5 else str(x), str(y), str(k), c))
    return rows


FILES = {"reference": (60000, 7, False), "other": (50000, 11, True)}


def main():
    out = {"scipy": scipy.__version__, "numpy": np.__version__, "files": {}, "features": {}}
    cols = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (n, seed, shifted) in FILES.items():
            rows = make_rows(n, seed, shifted)
            text = "x,y,k,c\n" + "".join(",".join(r) + "\n" for r in rows)
            path = os.path.join(tmp, name + ".csv")
            with open(path, "w") as f:
                f.write(text)
            out["files"][name] = {"rows": n, "bytes": len(text.encode()), "checksum": sum(text.encode()) % 1000000007}
            cols[name] = {j: [r[i] for r in rows] for i, j in enumerate("xykc")}
    for col in "xyk":
        a = np.array([float(v) for v in cols["reference"][col] if v != ""])
        b = np.array([float(v) for v in cols["other"][col] if v != ""])
        ks = stats.ks_2samp(a, b, method="asymp")
        pooled = np.concatenate([a, b])
        edges = np.histogram_bin_edges(pooled, bins=30)
        out["features"][col] = {
            "n": [len(a), len(b)],
            "ks": float(ks.statistic),
            "wasserstein": float(stats.wasserstein_distance(a, b)),
            "mean": [float(a.mean()), float(b.mean())],
            "std": [float(a.std()), float(b.std())],
            "quantiles": {str(q): [float(np.quantile(a, q)), float(np.quantile(b, q))] for q in (0.05, 0.25, 0.5, 0.75, 0.95)},
            "histogram": [np.histogram(a, edges)[0].tolist(), np.histogram(b, edges)[0].tolist()],
            "edges": edges.tolist(),
        }
    ca = cols["reference"]["c"]
    cb = cols["other"]["c"]
    cats = sorted(set(ca) | set(cb))
    table = np.array([[ca.count(v) for v in cats], [cb.count(v) for v in cats]])
    chi2 = stats.chi2_contingency(table, correction=False)
    out["features"]["c"] = {"categories": cats, "counts": table.tolist(), "chi2": float(chi2[0]), "pvalue": float(chi2[1])}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "stream_reference.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
