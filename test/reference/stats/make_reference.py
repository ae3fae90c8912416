#!/usr/bin/python3
"""Reference values for src/core/stats, computed with Debian's python3-scipy / numpy.

Run from anywhere:  /usr/bin/python3 test/reference/stats/make_reference.py
Writes reference.json (cases + small samples) and large.json (big synthetic samples) next to
this script. Real columns come from examples/weather/*.csv and data/{cars,penguins}.json
(vega-datasets 3.2.1, see data/SOURCE.md); synthetic samples use numpy RandomState seeds.
Tests read these files; they never call python.
"""
import csv
import json
import math
import os
import sys

import numpy as np
import scipy
import scipy.special as sc
import scipy.stats as st
from scipy.spatial.distance import jensenshannon

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))


def read_weather(city):
    with open(os.path.join(ROOT, 'examples', 'weather', city + '.csv'), newline='') as f:
        rows = list(csv.DictReader(f))
    out = {}
    for col in ('precipitation', 'temp_max', 'temp_min', 'wind'):
        out[col] = [float(r[col]) for r in rows if r[col] not in ('', 'NA')]
    out['weather'] = [r['weather'] for r in rows]
    return out


def read_json(name):
    with open(os.path.join(HERE, 'data', name)) as f:
        return json.load(f)


def col(records, field, **where):
    vals = []
    for r in records:
        if all(r.get(k) == v for k, v in where.items()):
            v = r.get(field)
            if v is not None and not (isinstance(v, float) and math.isnan(v)):
                vals.append(float(v) if not isinstance(v, str) else v)
    return vals


def fnum(x):
    """JSON-safe float (repr round-trips exactly)."""
    x = float(x)
    if math.isnan(x):
        return 'NaN'
    if math.isinf(x):
        return 'Infinity' if x > 0 else '-Infinity'
    return x


samples = {}
large = {}


def add(name, values, big=False):
    (large if big else samples)[name] = [float(v) for v in values]
    return name


def values(name):
    return np.asarray(samples[name] if name in samples else large[name], dtype=float)


sea = read_weather('seattle')
nyc = read_weather('new-york')
cars = read_json('cars.json')
peng = read_json('penguins.json')

# ---- samples ---------------------------------------------------------------------------------
for c in ('precipitation', 'temp_max', 'temp_min', 'wind'):
    add('seattle.' + c, sea[c])
    add('new-york.' + c, nyc[c])
for origin in ('USA', 'Europe', 'Japan'):
    add('cars.mpg.' + origin, col(cars, 'Miles_per_Gallon', Origin=origin))
    add('cars.horsepower.' + origin, col(cars, 'Horsepower', Origin=origin))
    add('cars.acceleration.' + origin, col(cars, 'Acceleration', Origin=origin))
    add('cars.weight.' + origin, col(cars, 'Weight_in_lbs', Origin=origin))
for sp in ('Adelie', 'Gentoo', 'Chinstrap'):
    add('penguins.mass.' + sp, col(peng, 'Body Mass (g)', Species=sp))
    add('penguins.flipper.' + sp, col(peng, 'Flipper Length (mm)', Species=sp))
for isl in ('Biscoe', 'Dream', 'Torgersen'):
    add('penguins.beak.' + isl, col(peng, 'Beak Length (mm)', Island=isl))

add('tiny.one', [1.0])
add('tiny.two', [2.0])
add('tiny.five', [1.0, 2.0, 3.0, 4.0, 5.0])
add('tiny.half', [0.5])
add('tiny.pairA', [1.0, 2.0])
add('tiny.pairB', [3.0, 4.0, 5.0])
add('ties.A', [1.0, 1.0, 2.0, 2.0])
add('ties.B', [2.0, 2.0, 3.0])
add('const.five', [5.0] * 7)
add('const.five2', [5.0] * 4)
rs = np.random.RandomState(12345)
add('disjoint.A', np.round(rs.uniform(0, 1, 20), 4))
add('disjoint.B', np.round(rs.uniform(2, 3, 30), 4))
add('same.A', np.round(rs.normal(0, 1, 50), 3))
add('small.A', np.round(rs.normal(0, 1, 37), 3))
add('small.B', np.round(rs.normal(0.4, 1, 52), 3))

rs = np.random.RandomState(2026)
def big(name, n, loc, dec=3):
    return add(name, np.round(rs.normal(loc, 1, n), dec), big=True)
big('n10000a', 10000, 0.0)
big('n10000b', 10000, 0.03)
big('n9999', 9999, 0.05)
big('n10001', 10001, 0.0)
big('n20000', 20000, 0.0)
big('n15000', 15000, 0.0)
big('n12000', 12000, 0.0)
big('n30000', 30000, 0.0)
big('n20000b', 20000, 0.01)
big('m3', 3, 0.5)
big('m50', 50, 0.3)
big('m140', 140, 0.2)
big('m400', 400, 0.1)

# ---- KS two-sample ---------------------------------------------------------------------------
ks_pairs = []
for c in ('precipitation', 'temp_max', 'temp_min', 'wind'):
    ks_pairs.append(('seattle.' + c, 'new-york.' + c))
ks_pairs += [
    ('cars.mpg.USA', 'cars.mpg.Europe'), ('cars.mpg.Europe', 'cars.mpg.Japan'),
    ('cars.mpg.USA', 'cars.mpg.Japan'), ('cars.horsepower.Europe', 'cars.horsepower.Japan'),
    ('cars.acceleration.Europe', 'cars.acceleration.Japan'), ('cars.weight.Europe', 'cars.weight.Japan'),
    ('penguins.mass.Adelie', 'penguins.mass.Chinstrap'), ('penguins.mass.Adelie', 'penguins.mass.Gentoo'),
    ('penguins.flipper.Adelie', 'penguins.flipper.Chinstrap'), ('penguins.beak.Dream', 'penguins.beak.Torgersen'),
    ('penguins.beak.Biscoe', 'penguins.beak.Dream'),
    ('tiny.one', 'tiny.two'), ('tiny.one', 'tiny.one'), ('tiny.half', 'tiny.five'), ('tiny.five', 'tiny.half'),
    ('tiny.pairA', 'tiny.pairB'), ('ties.A', 'ties.B'), ('const.five', 'const.five2'),
    ('disjoint.A', 'disjoint.B'), ('same.A', 'same.A'), ('small.A', 'small.B'), ('tiny.one', 'tiny.five'),
    ('n10000a', 'n10000b'), ('n10000a', 'n9999'), ('n10001', 'n9999'), ('n10001', 'm3'), ('n20000', 'm50'),
    ('n12000', 'm140'), ('n15000', 'm400'), ('n30000', 'n20000b'), ('n10001', 'n10000a'), ('m3', 'n20000'),
    ('n10000a', 'm50'), ('n10000b', 'm400'),
]
ks_cases = []
for a, b in ks_pairs:
    for method in ('auto', 'exact', 'asymp'):
        if method != 'auto' and len(values(a)) * len(values(b)) > 2e7 and method == 'exact':
            continue
        r = st.ks_2samp(values(a), values(b), method=method)
        ks_cases.append({'a': a, 'b': b, 'method': method, 'statistic': fnum(r.statistic), 'pvalue': fnum(r.pvalue)})
# Real-data subsets with n1 != n2 (exact path counting with ties).
for c, na, nb in (('temp_max', 100, 137), ('wind', 30, 45), ('precipitation', 500, 733), ('temp_min', 1000, 999)):
    a = add('seattle.%s.head%d' % (c, na), sea[c][:na])
    b = add('new-york.%s.head%d' % (c, nb), nyc[c][:nb])
    r = st.ks_2samp(values(a), values(b))
    ks_cases.append({'a': a, 'b': b, 'method': 'auto', 'statistic': fnum(r.statistic), 'pvalue': fnum(r.pvalue)})

# kstwo.sf grid: every branch of Simard & L'Ecuyer's selection.
kstwo_cases = []
for n in (1, 2, 3, 4, 5, 7, 10, 20, 50, 100, 140, 141, 200, 500, 1000, 5000, 20000, 100000, 100001, 500000, 2000000):
    xs = set()
    for t in (0.3, 0.6, 0.9, 1.0, 1.5):
        xs.add(t / n)
    for s in (0.3, 0.5, 0.75, 0.76, 1.0, 1.5, 2.0, 2.3, 3.0, 4.0, 4.5, 8.0, 17.0, 19.0, 300.0, 400.0):
        xs.add(math.sqrt(s / n))
    for x in (0.05, 0.1, 0.2, 0.3, 0.45, 0.5, 0.55, 0.7, 0.9, 1 - 1.0 / n, 1 - 0.5 / n):
        xs.add(x)
    for x in sorted(xs):
        if 0 < x <= 1:
            kstwo_cases.append({'n': n, 'x': fnum(x), 'sf': fnum(st.kstwo.sf(x, n))})
smirnov_cases = []
for n in (1, 2, 5, 10, 50, 141, 1000, 5000, 100000):
    for x in (0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.95, 1.0 / n, 0.5 / n, 1 - 1.0 / n):
        if 0 <= x <= 1:
            smirnov_cases.append({'n': n, 'x': fnum(x), 'sf': fnum(sc.smirnov(n, x))})

# ---- Wasserstein -----------------------------------------------------------------------------
w_pairs = [p for p in ks_pairs if len(values(p[0])) * 0 == 0][:]
w_cases = [{'a': a, 'b': b, 'value': fnum(st.wasserstein_distance(values(a), values(b)))} for a, b in w_pairs]

# ---- Histogram, PSI, JS (numeric) ------------------------------------------------------------
def evidently_psi(p_counts, q_counts, floor=1e-4):
    p = np.asarray(p_counts, float) / np.sum(p_counts)
    q = np.asarray(q_counts, float) / np.sum(q_counts)
    p = np.where(p == 0, floor, p)
    q = np.where(q == 0, floor, q)
    return float(np.sum((p - q) * np.log(p / q)))

hist_cases = []
for a, b in ks_pairs:
    va, vb = values(a), values(b)
    pooled = np.concatenate([va, vb])
    if pooled.min() == pooled.max():
        continue  # constant data: the single-bin rule is ours, checked in the unit test
    edges = np.histogram_bin_edges(pooled, bins=30)
    ca = np.histogram(va, bins=edges)[0]
    cb = np.histogram(vb, bins=edges)[0]
    hist_cases.append({'a': a, 'b': b, 'bins': 30, 'edges': [fnum(e) for e in edges],
                       'reference': [int(c) for c in ca], 'other': [int(c) for c in cb],
                       'psi': evidently_psi(ca, cb), 'jensenShannon': fnum(jensenshannon(ca, cb))})

# ---- Categorical: chi-squared, PSI, JS -------------------------------------------------------
def counts_over(labels_a, labels_b):
    cats = sorted(set(labels_a) | set(labels_b))
    return cats, [labels_a.count(c) for c in cats], [labels_b.count(c) for c in cats]

cat_inputs = []
cats, ca, cb = counts_over(sea['weather'], nyc['weather'])
cat_inputs.append(('weather label seattle vs new-york', cats, ca, cb))
cats, ca, cb = counts_over(sea['weather'][:200], nyc['weather'][:300])
cat_inputs.append(('weather label first 200 vs 300 rows', cats, ca, cb))
for a, b in (('USA', 'Europe'), ('Europe', 'Japan')):
    cats, ca, cb = counts_over(col(cars, 'Cylinders', Origin=a), col(cars, 'Cylinders', Origin=b))
    cat_inputs.append(('cars cylinders %s vs %s' % (a, b), cats, ca, cb))
cats, ca, cb = counts_over(col(peng, 'Island', Species='Adelie'), col(peng, 'Island', Species='Gentoo'))
cat_inputs.append(('penguins island Adelie vs Gentoo', cats, ca, cb))
sx = lambda s: [v for v in col(peng, 'Sex', Species=s) if v in ('MALE', 'FEMALE')]
cats, ca, cb = counts_over(sx('Adelie'), sx('Chinstrap'))
cat_inputs.append(('penguins sex Adelie vs Chinstrap (dof 1, Yates)', cats, ca, cb))
cat_inputs += [
    ('two categories, tiny differences (Yates magnitude < 0.5)', ['a', 'b'], [10, 11], [10, 10]),
    ('two categories, strong difference', ['a', 'b'], [90, 10], [40, 60]),
    ('zero-total category dropped', ['a', 'b', 'c', 'd'], [5, 0, 7, 3], [6, 0, 2, 9]),
    ('single category left: dof 0', ['a', 'b'], [5, 0], [9, 0]),
    ('category only in one sample', ['a', 'b', 'c'], [30, 20, 0], [25, 15, 12]),
    ('many categories', [str(i) for i in range(40)], [int(v) for v in np.random.RandomState(7).poisson(30, 40)],
     [int(v) for v in np.random.RandomState(8).poisson(31, 40)]),
    ('large counts', ['x', 'y', 'z'], [120000, 80000, 5], [119500, 80400, 9]),
]
cat_cases = []
for name, cats, ca, cb in cat_inputs:
    keep = [i for i in range(len(cats)) if ca[i] + cb[i] > 0]
    obs = np.array([[ca[i] for i in keep], [cb[i] for i in keep]])
    if obs.shape[1] <= 1:
        chi = {'statistic': 0.0, 'pvalue': 1.0, 'dof': 0}
    else:
        r = st.chi2_contingency(obs)
        chi = {'statistic': fnum(r[0]), 'pvalue': fnum(r[1]), 'dof': int(r[2])}
    cat_cases.append({'name': name, 'categories': cats, 'reference': ca, 'other': cb, 'chi2': chi,
                      'psi': evidently_psi(ca, cb), 'jensenShannon': fnum(jensenshannon(ca, cb))})

# ---- Special functions -----------------------------------------------------------------------
gamma_cases = []
for a in (0.5, 1.0, 1.5, 2.0, 3.5, 5.0, 10.0, 19.5, 50.0, 100.0, 499.5, 2000.0):
    for f in (0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 1.0, 1.01, 1.1, 1.5, 2.0, 3.0, 5.0, 10.0):
        x = a * f
        gamma_cases.append({'a': a, 'x': fnum(x), 'q': fnum(sc.gammaincc(a, x)), 'lgamma': fnum(sc.gammaln(a))})
chi2_sf_cases = [{'x': fnum(x), 'dof': d, 'sf': fnum(st.chi2.sf(x, d))}
                 for d in (1, 2, 3, 4, 7, 39, 100) for x in (0.0001, 0.1, 0.5, 1.0, 3.84, 10.0, 50.0, 150.0)]

# ---- Descriptive -----------------------------------------------------------------------------
desc_cases = []
for name in ('seattle.precipitation', 'new-york.temp_max', 'cars.mpg.Japan', 'penguins.mass.Gentoo', 'tiny.pairA', 'small.B'):
    v = values(name)
    qs = [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1]
    desc_cases.append({'sample': name, 'mean': fnum(np.mean(v)), 'std': fnum(np.std(v, ddof=1)),
                       'q': qs, 'quantiles': [fnum(x) for x in np.quantile(v, qs)]})

meta = {'generator': 'test/reference/stats/make_reference.py', 'python': sys.version.split()[0],
        'numpy': np.__version__, 'scipy': scipy.__version__}
with open(os.path.join(HERE, 'reference.json'), 'w') as f:
    json.dump({'meta': meta, 'samples': samples, 'ks': ks_cases, 'kstwo': kstwo_cases, 'smirnov': smirnov_cases,
               'wasserstein': w_cases, 'histogram': hist_cases, 'categorical': cat_cases,
               'gamma': gamma_cases, 'chi2sf': chi2_sf_cases, 'descriptive': desc_cases}, f, separators=(',', ':'))
with open(os.path.join(HERE, 'large.json'), 'w') as f:
    json.dump({'meta': meta, 'samples': large}, f, separators=(',', ':'))
print('wrote %d ks, %d kstwo, %d wasserstein, %d histogram, %d categorical cases'
      % (len(ks_cases), len(kstwo_cases), len(w_cases), len(hist_cases), len(cat_cases)))
