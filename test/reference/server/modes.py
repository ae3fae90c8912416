"""Reference values for the outlier check within modes (test/unit/server/pairFindings.test.ts).

The column: 60 values 10..19 (each 6 times), 40 values 100..119 (each twice) and one 300, two
groups by construction (below 50 and above). numpy gives each group's median, MAD and the robust
z (Iglewicz-Hoaglin, 0.6745 (x - median) / MAD) of every value within its group, and of every
value against the whole column (what the check did before modes).
Run: /usr/bin/python3 test/reference/server/modes.py > test/reference/server/modes.json
"""
import json

import numpy as np

values = [v for v in range(10, 20) for _ in range(6)] + [v for v in range(100, 120) for _ in range(2)] + [300]
x = np.array(values, dtype=float)


def robust(group):
    med = float(np.median(group))
    mad = float(np.median(np.abs(group - med)))
    return med, mad


out = {"values": values, "threshold": 3.5, "modes": [], "wholeColumnOutliers": 0}
for lo, hi in [(-np.inf, 50), (50, np.inf)]:
    g = x[(x > lo) & (x < hi)]
    med, mad = robust(g)
    z = 0.6745 * (g - med) / mad
    out["modes"].append({
        "count": int(g.size),
        "median": med,
        "mad": mad,
        "outliers": [{"value": float(v), "z": float(s)} for v, s in zip(g, z) if abs(s) > 3.5],
    })
med, mad = robust(x)
out["wholeColumnOutliers"] = int(np.sum(np.abs(0.6745 * (x - med) / mad) > 3.5))
print(json.dumps(out, indent=1))
