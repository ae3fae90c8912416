"""Reference inputs derived from date columns for training, computed with pandas.

Run from the repository root with Debian's python3-pandas and python3-numpy:
    /usr/bin/python3 test/reference/dates/make_datetime_features_reference.py
Writes test/reference/dates/datetime_features.json, which
test/unit/training/datetimeFeatures.test.ts compares with src/training/preprocess.ts (the tests
never run Python).

For each column: its values (one CSV column), the explicit format pandas reads them with, the
rows that form the training split, and per scaling ("standard", "none") the expected model
inputs of every row, in order: year (scaled), month sin/cos, day-of-week sin/cos, hour sin/cos
(columns with times only), days since the reference (scaled). As docs/training.md ("Dates")
says:
- calendar parts are pandas' .year, .month, .dayofweek (Monday = 0) and .hour + minutes and
  seconds as a fraction, in each cell's own wall time (its own UTC offset);
- month m gives sin/cos(2 pi (m - 1) / 12), weekday d sin/cos(2 pi d / 7), hour h sin/cos(2 pi h / 24);
- the reference is the earliest date among the TRAINING rows (never another row), days are
  (instant - reference) / 1 day on UTC instants;
- a missing date is the lower median training date (the middle one of the sorted training dates);
- year and days are standardised with the mean and population standard deviation (ddof=0) of
  the training rows, missing ones counted as their fill (as scikit-learn's SimpleImputer then
  StandardScaler); "none" leaves them as they are.
"""
import json
import math

import numpy as np
import pandas as pd

OUT = "test/reference/dates/datetime_features.json"

rng = np.random.default_rng(14)


def random_days(n, start, end):
    lo = pd.Timestamp(start).value // 86_400_000_000_000
    hi = pd.Timestamp(end).value // 86_400_000_000_000
    return [pd.Timestamp(int(d) * 86_400_000_000_000) for d in rng.integers(lo, hi, n)]


# 1. ISO dates, 1995-2025, with a leap day, both sides of New Year, and missing cells. The
#    earliest date (1990-01-01) is in a row that is not a training row.
days = [d.strftime("%Y-%m-%d") for d in random_days(34, "1995-01-01", "2025-12-31")]
days[3] = "2000-02-29"
days[7] = "2011-12-31"
days[8] = "2012-01-01"
days[11] = ""
days[20] = ""
days[25] = "1990-01-01"
days[30] = "2031-07-04"
day_train = [i for i in range(len(days)) if i % 5 not in (0,) and i not in (25, 30)]

# 2. Timestamps with their own UTC offsets: wall times differ from UTC ones (23:30-05:00 is the
#    next day in UTC, but a Saturday evening on its own clock).
at = [
    "2021-03-27T23:30:00-05:00",
    "2021-03-28T01:15:00+02:00",
    "2021-03-27T20:00:00+02:00",
    "2021-03-27T21:00:00+00:00",
    "2021-03-27T06:45:30-05:00",
    "2021-12-31T23:59:59+01:00",
    "2022-01-01T00:00:01+01:00",
    "",
    "2020-02-29T12:00:00+05:30",
    "2023-06-15T18:20:00-07:00",
    "2019-11-03T01:30:00-04:00",
    "2024-07-04T09:00:00+09:00",
]
at_train = [0, 1, 2, 3, 5, 7, 8, 9, 11]

# 3. Dates written as "Jun 12 1998" (a movie table's release dates).
released = [d.strftime("%b %d %Y") for d in random_days(16, "1950-01-01", "2020-12-31")]
released[4] = ""
released_train = [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 13]

COLUMNS = [
    {"name": "day", "format": "%Y-%m-%d", "values": days, "train": day_train},
    {"name": "at", "format": "%Y-%m-%dT%H:%M:%S%z", "values": at, "train": at_train},
    {"name": "released", "format": "%b %d %Y", "values": released, "train": released_train},
]


def parse(value, fmt):
    if value == "":
        return None
    # One value at a time: with several offsets pandas 1.5 returns objects for a whole series.
    return pd.to_datetime(pd.Series([value]), format=fmt).iloc[0]


def instant_ms(ts):
    return ts.value / 1e6


def hour_of(ts):
    return ts.hour + ts.minute / 60 + ts.second / 3600 + ts.microsecond / 3.6e9


def scale_of(values, scaling):
    if scaling == "none":
        return 0.0, 1.0
    arr = np.asarray(values, dtype=float)
    center = float(arr.mean())
    scale = float(arr.std(ddof=0))
    if not scale > 0:
        scale = 1.0
    return center, scale


def expected(col, scaling):
    stamps = [parse(v, col["format"]) for v in col["values"]]
    has_time = any(s is not None and (s.hour or s.minute or s.second or s.microsecond) for s in stamps)
    train = [stamps[r] for r in col["train"] if stamps[r] is not None]
    missing = sum(1 for r in col["train"] if stamps[r] is None)
    ordered = sorted(train, key=instant_ms)
    reference = instant_ms(ordered[0])
    fill = ordered[(len(ordered) - 1) // 2]
    filled = train + [fill] * missing
    y_center, y_scale = scale_of([s.year for s in filled], scaling)
    d_center, d_scale = scale_of([(instant_ms(s) - reference) / 86_400_000 for s in filled], scaling)
    outputs = [f"{col['name']}:year", f"{col['name']}:month_sin", f"{col['name']}:month_cos", f"{col['name']}:dayOfWeek_sin", f"{col['name']}:dayOfWeek_cos"]
    if has_time:
        outputs += [f"{col['name']}:hour_sin", f"{col['name']}:hour_cos"]
    outputs.append(f"{col['name']}:days")
    rows = []
    for s in stamps:
        s = fill if s is None else s
        row = [(s.year - y_center) / y_scale]
        row += [math.sin(2 * math.pi * (s.month - 1) / 12), math.cos(2 * math.pi * (s.month - 1) / 12)]
        row += [math.sin(2 * math.pi * s.dayofweek / 7), math.cos(2 * math.pi * s.dayofweek / 7)]
        if has_time:
            h = hour_of(s)
            row += [math.sin(2 * math.pi * h / 24), math.cos(2 * math.pi * h / 24)]
        row.append(((instant_ms(s) - reference) / 86_400_000 - d_center) / d_scale)
        rows.append(row)
    return {
        "outputs": outputs,
        "reference": reference,
        "fill": instant_ms(fill),
        "year": [y_center, y_scale],
        "days": [d_center, d_scale],
        "parts": [[s.year, s.month, s.dayofweek, hour_of(s)] if s is not None else None for s in stamps],
        "rows": rows,
    }


result = {
    "generator": "test/reference/dates/make_datetime_features_reference.py",
    "pandas": pd.__version__,
    "numpy": np.__version__,
    "columns": [dict(c, expected={sc: expected(c, sc) for sc in ("standard", "none")}) for c in COLUMNS],
}
with open(OUT, "w") as fh:
    json.dump(result, fh, indent=1)
    fh.write("\n")
