"""Reference instants for the date-format corpus, read by pandas with an explicit format.

Run from the repository root with Debian's python3-pandas:
    /usr/bin/python3 test/reference/dates/make_dates_reference.py
Reads test/reference/dates/corpus.json, writes test/reference/dates/dates.json, which
test/unit/core/dates.test.ts compares with src/core/dates (the tests never run Python).

For each value: [milliseconds since 1970-01-01T00:00:00Z (float, from pandas' nanoseconds),
UTC offset in minutes or null] for a parsed value, null for NaT. Values without a zone are
naive wall times (pandas' Timestamp.value counts them as UTC, as src/core does).
"""
import json

import pandas as pd

CORPUS = "test/reference/dates/corpus.json"
OUT = "test/reference/dates/dates.json"


def instant(ts):
    if ts is pd.NaT or ts is None or (isinstance(ts, float) and ts != ts):
        return None
    ts = pd.Timestamp(ts)
    offset = None
    if ts.tzinfo is not None:
        offset = int(ts.utcoffset().total_seconds() // 60)
    return [ts.value / 1e6, offset]


def read(values, fmt):
    # One value at a time: with several offsets pandas 1.5 returns objects, one by one it
    # returns the same instants, and a value never changes how another is read.
    out = []
    for v in values:
        r = pd.to_datetime(pd.Series([v]), format=fmt, errors="coerce")
        out.append(instant(r.iloc[0]))
    return out


corpus = json.load(open(CORPUS))
result = {
    "generator": "test/reference/dates/make_dates_reference.py",
    "pandas": pd.__version__,
    "formats": [{"format": c["format"], "values": c["values"], "pandas": read(c["values"], c["format"])} for c in corpus["formats"]],
    "epochs": [
        {"unit": c["unit"], "values": c["values"], "pandas": [instant(pd.to_datetime(v, unit=c["unit"])) for v in c["values"]]}
        for c in corpus["epochs"]
    ],
    "columns": [dict(c, pandas=read(c["values"], c["format"])) for c in corpus["columns"]],
}
with open(OUT, "w") as fh:
    json.dump(result, fh, indent=1)
    fh.write("\n")
