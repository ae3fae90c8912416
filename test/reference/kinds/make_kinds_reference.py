"""Reference profiles of date and text columns, computed with pandas / numpy / re.

Run from the repository root with Debian's python3-pandas:
    /usr/bin/python3 test/reference/kinds/make_kinds_reference.py
Writes test/reference/kinds/kinds.json, which test/unit/core/kindProfiles.test.ts compares with
src/core/profile.ts (the tests never run Python). Each date column is read with
pandas.to_datetime and the explicit format the engine is expected to find; the statistics are
computed here independently, from the definitions in docs/ingest.md:
- wall time: the value as written (tz-aware values in their own offset);
- granularity: the coarsest unit all wall times align to (year, month, day, hour, minute,
  second, millisecond) and the most frequent step between consecutive distinct values in that
  unit (ties: the smaller);
- gaps: steps larger than that, with ceil(step / granularity) - 1 missing steps each;
- parts: counts per year, month, day of week (Monday = 0), hour;
- histogram: numpy.histogram of the instants in milliseconds, 20 bins.
Text columns: Python's len() per cell, tokens re.findall(r"[^\\W_]+", text.lower()).
Comparisons (scipy 1.10): a text pair (length KS, Wasserstein / reference std, Jensen-Shannon
distances, Jaccard of the top-1000 vocabularies, out-of-vocabulary rates) and a date pair (the
overlap of the time ranges, chi-squared and Jensen-Shannon of year / month / day of week).
"""
import json
import math
import re

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

MISSING = ["", "NA", "N/A", "NaN", "null", "?"]
QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
BINS = 20

DATES = [
    ("examples/weather/seattle.csv", "date", "%Y-%m-%d"),
    ("examples/weather/new-york.csv", "date", "%Y-%m-%d"),
    ("test/fixtures/kinds/daily-gaps.csv", "day", "%Y-%m-%d"),
    ("test/fixtures/kinds/monthly.csv", "month", "%Y-%m"),
    ("test/fixtures/kinds/hourly-zones.csv", "at", "%Y-%m-%dT%H:%M:%S%z"),
    ("test/fixtures/kinds/release-dates.csv", "release date", "%b %d %Y"),
    ("test/fixtures/kinds/day-first.csv", "measured", "%d/%m/%Y"),
]
EPOCHS = [("test/fixtures/kinds/epoch.csv", "event_ts", "s")]
TEXTS = [("test/fixtures/kinds/reviews-a.csv", "review"), ("test/fixtures/kinds/reviews-b.csv", "review")]


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=MISSING)


def wall(ts):
    """The wall time as a naive Timestamp (a tz-aware value in its own offset)."""
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def iso(ts, date_only):
    w = wall(ts)
    if date_only:
        return w.strftime("%Y-%m-%d")
    text = w.strftime("%Y-%m-%dT%H:%M:%S")
    if w.microsecond:
        text += ".%03d" % (w.microsecond // 1000)
    if ts.tzinfo is not None:
        minutes = int(ts.utcoffset().total_seconds() // 60)
        text += "Z" if minutes == 0 else "%s%02d:%02d" % ("-" if minutes < 0 else "+", abs(minutes) // 60, abs(minutes) % 60)
    return text


def offset_text(minutes):
    return "Z" if minutes == 0 else "%s%02d:%02d" % ("-" if minutes < 0 else "+", abs(minutes) // 60, abs(minutes) % 60)


def unit_of(walls):
    s = pd.Series(walls)
    if (s.dt.normalize() == s).all():
        if (s.dt.day == 1).all():
            return "year" if (s.dt.month == 1).all() else "month"
        return "day"
    for unit, freq in (("hour", "H"), ("minute", "T"), ("second", "S")):
        if (s.dt.floor(freq) == s).all():
            return unit
    return "millisecond"


def index_of(w, unit):
    if unit == "year":
        return w.year
    if unit == "month":
        return w.year * 12 + w.month - 1
    ns = {"day": 86400 * 10**9, "hour": 3600 * 10**9, "minute": 60 * 10**9, "second": 10**9, "millisecond": 10**6}[unit]
    return w.value // ns


def datetime_profile(stamps, date_only, fmt):
    valid = [t for t in stamps if t is not pd.NaT and not (isinstance(t, float) and math.isnan(t))]
    instants = np.array([t.value / 1e6 for t in valid])
    walls = [wall(t) for t in valid]
    lo = min(range(len(valid)), key=lambda i: (instants[i], i))
    hi = max(range(len(valid)), key=lambda i: (instants[i], -i))
    unit = unit_of(walls)
    order = sorted(range(len(valid)), key=lambda i: (walls[i], i))
    distinct = []
    for i in order:
        k = index_of(walls[i], unit)
        if not distinct or distinct[-1][0] != k:
            distinct.append((k, i))
    diffs = pd.Series([b[0] - a[0] for a, b in zip(distinct, distinct[1:])], dtype="int64")
    step = None
    if len(diffs):
        vc = diffs.value_counts()
        step = int(min(vc[vc == vc.max()].index))
    gaps = []
    for n, (a, b) in enumerate(zip(distinct, distinct[1:])):
        d = b[0] - a[0]
        if step is not None and d > step:
            gaps.append((math.ceil(d / step) - 1, n, iso(valid[a[1]], date_only), iso(valid[b[1]], date_only)))
    largest = sorted(gaps, key=lambda g: (-g[0], g[1]))[:5]
    ws = pd.Series(walls)
    zones = {}
    for t in valid:
        if t.tzinfo is not None:
            m = int(t.utcoffset().total_seconds() // 60)
            zones[m] = zones.get(m, 0) + 1
    counts, edges = np.histogram(instants, bins=BINS)
    profile = {
        "count": len(valid),
        "distinct": int(len(set(instants.tolist()))),
        "format": fmt,
        "dateOnly": date_only,
        "min": iso(valid[lo], date_only),
        "max": iso(valid[hi], date_only),
        "spanDays": (instants[hi] - instants[lo]) / 86400000,
        "granularity": {"unit": unit, "step": step},
        "gaps": {"count": len(gaps), "missingSteps": int(sum(g[0] for g in gaps)), "largest": [{"after": g[2], "before": g[3], "missingSteps": g[0]} for g in largest]},
        "zones": [{"offset": offset_text(m), "count": n} for m, n in sorted(zones.items(), key=lambda kv: (-kv[1], kv[0]))],
        "parts": {
            "year": [{"year": int(y), "count": int(n)} for y, n in sorted(ws.dt.year.value_counts().items())],
            "month": [int((ws.dt.month == m).sum()) for m in range(1, 13)],
            "dayOfWeek": [int((ws.dt.dayofweek == d).sum()) for d in range(7)],
        },
        "histogram": {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]},
    }
    if not date_only:
        profile["parts"]["hour"] = [int((ws.dt.hour == h).sum()) for h in range(24)]
    return profile


def distribution(x):
    x = np.asarray(x, dtype=np.float64)
    counts, edges = np.histogram(x, bins=BINS)
    return {
        "mean": float(x.mean()),
        "std": float(x.std(ddof=1)) if len(x) > 1 else None,
        "min": float(x.min()),
        "max": float(x.max()),
        "quantiles": [{"q": q, "value": float(np.quantile(x, q, method="linear"))} for q in QUANTILES],
        "histogram": {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]},
    }


def text_profile(values):
    cells = [v for v in values if isinstance(v, str)]
    tokens = [re.findall(r"[^\W_]+", v.lower()) for v in cells]
    flat = [t for ts in tokens for t in ts]
    counts = {}
    for t in flat:
        counts[t] = counts.get(t, 0) + 1
    # Ties in UTF-16 code-unit order, as JavaScript compares strings.
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].encode("utf-16-be")))[:20]
    return {
        "count": len(cells),
        "distinct": len(set(cells)),
        "length": distribution([len(v) for v in cells]),
        "tokensPerCell": {"mean": len(flat) / len(cells), "max": max(len(ts) for ts in tokens)},
        "tokens": len(flat),
        "vocabulary": len(counts),
        "topTokens": [{"token": t, "count": n, "share": n / len(flat)} for t, n in top],
        "nonAsciiShare": sum(1 for v in cells if any(ord(ch) > 127 for ch in v)) / len(cells),
    }


out = {"generator": "test/reference/kinds/make_kinds_reference.py", "pandas": pd.__version__, "numpy": np.__version__, "bins": BINS, "quantiles": QUANTILES, "datetimes": [], "texts": []}
for path, column, fmt in DATES:
    raw = read(path)[column]
    stamps = [pd.NaT if pd.isna(v) else pd.to_datetime(v, format=fmt) for v in raw]
    date_only = "%H" not in fmt
    out["datetimes"].append(dict(file=path, column=column, missing=int(raw.isna().sum()), **datetime_profile(stamps, date_only, fmt)))
for path, column, unit in EPOCHS:
    raw = read(path)[column]
    stamps = [pd.NaT if pd.isna(v) else pd.to_datetime(float(v), unit=unit) for v in raw]
    date_only = all(t.value % (86400 * 10**9) == 0 for t in stamps if t is not pd.NaT)
    fmt = {"s": "epoch seconds", "ms": "epoch milliseconds"}[unit]
    out["datetimes"].append(dict(file=path, column=column, missing=int(raw.isna().sum()), **datetime_profile(stamps, date_only, fmt)))
for path, column in TEXTS:
    raw = read(path)[column]
    out["texts"].append(dict(file=path, column=column, missing=int(raw.isna().sum()), **text_profile(list(raw))))



def cells_of(path, column):
    return [v for v in read(path)[column] if isinstance(v, str)]


def top_k(counts, k):
    return [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].encode("utf-16-be")))[:k]]


def token_counts(cells):
    counts = {}
    for v in cells:
        for t in re.findall(r"[^\W_]+", v.lower()):
            counts[t] = counts.get(t, 0) + 1
    return counts


def compare_text(ref_path, other_path, column, k=1000, bins=30):
    a, b = cells_of(ref_path, column), cells_of(other_path, column)
    la, lb = np.array([len(v) for v in a], float), np.array([len(v) for v in b], float)
    ks = stats.ks_2samp(la, lb)
    w = stats.wasserstein_distance(la, lb) / max(la.std(ddof=0), 0.001)
    edges = np.histogram_bin_edges(np.concatenate([la, lb]), bins=bins)
    ha, hb = np.histogram(la, edges)[0], np.histogram(lb, edges)[0]
    ca, cb = token_counts(a), token_counts(b)
    ta, tb = set(top_k(ca, k)), set(top_k(cb, k))
    vocab = sorted(ta | tb)
    va = [ca.get(t, 0) for t in vocab] + [sum(ca.values()) - sum(ca.get(t, 0) for t in vocab)]
    vb = [cb.get(t, 0) for t in vocab] + [sum(cb.values()) - sum(cb.get(t, 0) for t in vocab)]
    return {
        "reference": ref_path, "other": other_path, "column": column,
        "lengthKs": {"statistic": float(ks.statistic), "pvalue": float(ks.pvalue)},
        "lengthWassersteinNorm": float(w),
        "lengthJensenShannon": float(jensenshannon(ha, hb)),
        "lengthHistogram": {"edges": [float(e) for e in edges], "reference": [int(c) for c in ha], "other": [int(c) for c in hb]},
        "vocabularyJaccard": len(ta & tb) / len(ta | tb),
        "otherOovRate": sum(n for t, n in cb.items() if t not in ca) / sum(cb.values()),
        "referenceOovRate": sum(n for t, n in ca.items() if t not in cb) / sum(ca.values()),
        "tokenJensenShannon": float(jensenshannon(va, vb)),
    }


def compare_dates(ref_path, ref_col, ref_fmt, other_path, other_col, other_fmt):
    def stamps(path, col, fmt):
        return pd.Series([pd.to_datetime(v, format=fmt) for v in read(path)[col].dropna()])
    a, b = stamps(ref_path, ref_col, ref_fmt), stamps(other_path, other_col, other_fmt)
    lo, hi = max(a.min(), b.min()), min(a.max(), b.max())
    union = max(a.max(), b.max()) - min(a.min(), b.min())
    overlap = max(0.0, (hi - lo).total_seconds()) / union.total_seconds()
    parts = []
    for part, get in (("year", lambda s: s.dt.year), ("month", lambda s: s.dt.month), ("dayOfWeek", lambda s: s.dt.dayofweek)):
        keys = sorted(set(get(a)) | set(get(b)))
        ra = [int((get(a) == k).sum()) for k in keys]
        rb = [int((get(b) == k).sum()) for k in keys]
        if len(keys) > 1:
            chi2, p, dof, _ = stats.chi2_contingency(np.array([ra, rb]))
        else:
            chi2, p, dof = 0.0, 1.0, 0
        parts.append({"part": part, "chi2": {"statistic": float(chi2), "pvalue": float(p), "dof": int(dof)}, "jensenShannon": float(jensenshannon(ra, rb))})
    inside = float(((b >= a.min()) & (b <= a.max())).mean())
    return {"reference": ref_path, "other": other_path, "column": [ref_col, other_col], "overlap": overlap, "otherInReferenceRange": inside, "parts": parts}


out["compare"] = {
    "texts": [compare_text("test/fixtures/kinds/reviews-a.csv", "test/fixtures/kinds/reviews-b.csv", "review")],
    "dates": [
        compare_dates("test/fixtures/kinds/daily-gaps.csv", "day", "%Y-%m-%d", "test/fixtures/kinds/day-first.csv", "measured", "%d/%m/%Y"),
        compare_dates("examples/weather/seattle.csv", "date", "%Y-%m-%d", "examples/weather/new-york.csv", "date", "%Y-%m-%d"),
    ],
}

with open("test/reference/kinds/kinds.json", "w") as fh:
    json.dump(out, fh, indent=1)
    fh.write("\n")
