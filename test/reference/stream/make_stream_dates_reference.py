#!/usr/bin/env python3
"""Reference values for dates in the streaming comparison (test/unit/core/stream/streamDates.test.ts).

Writes the two CSV files the test writes (makeDatesCsv in test/unit/core/stream/streamFiles.ts:
the same seeded mulberry32 draws, integer arithmetic only, so both languages write the same
bytes), reads each date column with pandas `to_datetime` and an explicit format, and computes
what the streaming comparison reports for dates (docs/scaling.md, "Dates"):
- the format: of the formats the column's cells could be written in, the one reading the most
  cells (pandas with errors="coerce" counts them), so day-first wins when a single cell has a
  day above 12;
- the cells read as dates, the earliest and latest value of each file (ISO 8601: the date alone
  for formats without a time), the overlap of the two ranges (intersection / union of their
  lengths) and the share of the other file's dates inside the reference's range;
- per calendar part (pandas .dt.year, .dt.month, .dt.dayofweek with Monday = 0, .dt.hour; hour
  only when both files have times) the counts of each file over the labels either file has,
  scipy.stats.chi2_contingency on the two rows (its defaults) and
  scipy.spatial.distance.jensenshannon (natural log).
Run with /usr/bin/python3 from the repository root:
    /usr/bin/python3 test/reference/stream/make_stream_dates_reference.py
It writes test/reference/stream/stream_dates_reference.json (the CSV files go to a temporary folder).
"""
import datetime as dt
import json
import os
import tempfile

import numpy as np
import pandas as pd
import scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon

from mulberry import mulberry32  # this folder: src/core/random.ts bit for bit

OUT = "test/reference/stream/stream_dates_reference.json"
MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
EPOCH = dt.date(1970, 1, 1)


def ymd(days):
    d = EPOCH + dt.timedelta(days=days)
    return d.year, d.month, d.day


def make_csv(n, seed, shifted):
    """makeDatesCsv, draw for draw."""
    r = mulberry32(seed)
    lines = ["id,day,dmy,mon,ts,late,city"]
    day_base = 15887 if shifted else 15340
    for i in range(n):
        y1, m1, d1 = ymd(day_base + int(r() * 1461))
        day = "" if i % 211 == 7 else "unknown" if i % 401 == 3 else f"{y1}-{m1:02d}-{d1:02d}"
        y2 = 2000 + int(r() * 5)
        m2 = 1 + int(r() * 12)
        d2 = 13 + int(r() * 16) if i >= n - 5 else 1 + int(r() * 12)
        dmy = f"{d2:02d}/{m2:02d}/{y2}"
        y3, m3, d3 = ymd(9131 + int(r() * (2000 if shifted else 1500)))
        mon = f"{MON[m3 - 1]} {d3} {y3}"
        minute = int(r() * 365 * 1440)
        h = (minute // 60) % 24
        hour = (12 + h % 12 if h < 12 else h) if shifted else h
        y4, m4, d4 = ymd(16436 + minute // 1440)
        ts = f"{y4}-{m4:02d}-{d4:02d} {hour:02d}:{minute % 60:02d}:00"
        y5, m5, d5 = ymd(16436 + int(r() * 365))
        late = f"{y5}-{m5:02d}-{d5:02d}" if i < 100 else f"{y5}-{m5:02d}-{d5:02d} {i % 24:02d}:30"
        city = ["north", "south", "east", "west"][int(r() * (3 if shifted else 4))]
        lines.append(f"{i},{day},{dmy},{mon},{ts},{late},{city}")
    return "\n".join(lines) + "\n"


# The formats each column's cells could be written in (the shapes the inference proposes).
CANDIDATES = {
    "day": ["%Y-%m-%d"],
    "dmy": ["%m/%d/%Y", "%d/%m/%Y"],
    "mon": ["%b %d %Y", "%B %d %Y"],
    "ts": ["%Y-%m-%d %H:%M:%S"],
}
HAS_TIME = {"day": False, "dmy": False, "mon": False, "ts": True}


def read_dates(cells, formats):
    """The format reading the most cells (ties: the first listed) and the dates it reads."""
    best = None
    for f in formats:
        parsed = pd.to_datetime(cells, format=f, errors="coerce")
        if best is None or parsed.notna().sum() > best[1].notna().sum():
            best = (f, parsed)
    return best[0], best[1].dropna()


def iso(ts, has_time):
    return ts.strftime("%Y-%m-%dT%H:%M:%S") if has_time else ts.strftime("%Y-%m-%d")


def part_series(s, part):
    if part == "year":
        return s.dt.year.astype(str)
    if part == "month":
        return s.dt.month.map(lambda m: MON[m - 1])
    if part == "dayOfWeek":
        return s.dt.dayofweek.map(lambda d: DAYS[d])
    return s.dt.hour.map(lambda h: f"{h:02d}")


def main():
    out = {"generator": "makeDatesCsv (test/unit/core/stream/streamFiles.ts)", "pandas": pd.__version__, "scipy": scipy.__version__, "files": {}, "columns": {}}
    frames = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (n, seed, shifted) in {"reference": (20000, 3, False), "other": (15000, 5, True)}.items():
            text = make_csv(n, seed, shifted)
            data = text.encode()
            out["files"][name] = {"rows": n, "bytes": len(data), "checksum": sum(data) % 1000000007}
            path = os.path.join(tmp, f"{name}.csv")
            with open(path, "w") as f:
                f.write(text)
            frames[name] = pd.read_csv(path, dtype=str)
    for col, formats in CANDIDATES.items():
        fa, a = read_dates(frames["reference"][col], formats)
        fb, b = read_dates(frames["other"][col], formats)
        ms = lambda s: s.astype("int64").to_numpy() // 1_000_000
        va, vb = ms(a), ms(b)
        lo, hi = max(va.min(), vb.min()), min(va.max(), vb.max())
        union = max(va.max(), vb.max()) - min(va.min(), vb.min())
        overlap = max(0, hi - lo) / union if union > 0 else (1.0 if va.min() == vb.min() else 0.0)
        inside = int(((vb >= va.min()) & (vb <= va.max())).sum())
        parts = []
        for part in ["year", "month", "dayOfWeek"] + (["hour"] if HAS_TIME[col] else []):
            ca = part_series(a, part).value_counts()
            cb = part_series(b, part).value_counts()
            labels = sorted(set(ca.index) | set(cb.index))
            ra = [int(ca.get(x, 0)) for x in labels]
            rb = [int(cb.get(x, 0)) for x in labels]
            chi2, p, dof, _ = stats.chi2_contingency(np.array([ra, rb]))
            parts.append({"part": part, "categories": labels, "reference": ra, "other": rb, "chi2": {"statistic": float(chi2), "pvalue": float(p), "dof": int(dof)}, "jensenShannon": float(jensenshannon(ra, rb))})
        out["columns"][col] = {
            "format": [fa, fb],
            "dates": [int(len(a)), int(len(b))],
            "referenceRange": [iso(a.min(), HAS_TIME[col]), iso(a.max(), HAS_TIME[col])],
            "otherRange": [iso(b.min(), HAS_TIME[col]), iso(b.max(), HAS_TIME[col])],
            "overlap": float(overlap),
            "otherInReferenceRange": inside / len(b),
            "parts": parts,
        }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
