#!/usr/bin/python3
"""Reference values for the uncertainty of scores (src/core/stats/{distributions,bootstrap,
pairedTests,weightedMetrics}.ts), computed with Debian's python3-scipy 1.10 and
python3-statsmodels 0.13 (apt-get install -y --no-install-recommends python3-scipy
python3-statsmodels python3-sklearn).

Run from anywhere:  /usr/bin/python3 test/reference/stats/make_inference_reference.py
Writes inference.json next to this script. Tests read it; they never call python.

Predictions for the bootstrap cases are real: simple rules and least-squares fits on the
bundled examples (examples/weather, examples/cars), so the intervals are those of real scores.
"""
import csv
import json
import os

import numpy as np
import scipy
import scipy.stats as st
from scipy.optimize import brentq
import sklearn
import statsmodels
from sklearn.metrics import f1_score, r2_score
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
RESAMPLES = 9999


def rows(path):
    with open(os.path.join(ROOT, path), newline='') as f:
        return list(csv.DictReader(f))


def fnum(v):
    return float(v) if v not in ('', 'NA') else float('nan')


def weather_case(city, n, threshold):
    """Predict rain when precipitation exceeds `threshold`, else sun: a real, imperfect classifier."""
    r = rows(os.path.join('examples', 'weather', city + '.csv'))[:n]
    classes = sorted({x['weather'] for x in r} | {'rain', 'sun'})
    index = {c: i for i, c in enumerate(classes)}
    y = [index[x['weather']] for x in r]
    yhat = [index['rain'] if fnum(x['precipitation']) > threshold else index['sun'] for x in r]
    return classes, y, yhat


def cars_case(train_file, test_file, n=None):
    """mpg from weight and year, least squares fitted on one origin, predicted on another."""
    def xy(path):
        r = [x for x in rows(os.path.join('examples', 'cars', path)) if x['mpg'] not in ('', 'NA')]
        X = np.array([[1.0, fnum(x['weight_lbs']), fnum(x['year'])] for x in r])
        return X, np.array([fnum(x['mpg']) for x in r])
    Xa, ya = xy(train_file)
    Xb, yb = xy(test_file)
    beta, *_ = np.linalg.lstsq(Xa, ya, rcond=None)
    pred = Xb @ beta
    if n is not None:
        yb, pred = yb[:n], pred[:n]
    return yb.tolist(), pred.tolist()


def boot(data, statistic, method, seed):
    res = st.bootstrap(data, statistic, paired=True, vectorized=False, n_resamples=RESAMPLES, confidence_level=0.95, method=method, random_state=np.random.RandomState(seed))
    return [float(res.confidence_interval.low), float(res.confidence_interval.high)]


def accuracy(y, yhat):
    return float(np.mean(np.asarray(y) == np.asarray(yhat)))


def macro_f1(y, yhat):
    return float(f1_score(y, yhat, average='macro', zero_division=0))


def macro_f1_own(own):
    """A dataset's macro-F1 under the merged arm (src/training/metrics.ts): over the dataset's own
    classes present among the (resampled) true or predicted labels."""
    def stat(y, yhat):
        labels = sorted(c for c in set(np.asarray(y).tolist()) | set(np.asarray(yhat).tolist()) if c in own)
        return float(f1_score(y, yhat, labels=labels, average='macro', zero_division=0))
    return stat


def spam_merged_case(n):
    """The first n SpamAssassin messages of the text example under a keyword rule that, like a merged
    model, can answer with a State of the Union era: 'nation'/'congress' -> 1946-2018, money or
    'click'/'free' -> spam, else ham. Classes are the union of both datasets'; own = spam's."""
    r = rows(os.path.join('examples', 'text', 'spam.csv'))[:n]
    eras = sorted({x['label'] for x in rows(os.path.join('examples', 'text', 'sotu.csv'))})
    classes = sorted(set(eras) | {'ham', 'spam'})
    index = {c: i for i, c in enumerate(classes)}

    def rule(t):
        t = t.lower()
        if 'congress' in t or 'nation' in t:
            return '1946-2018'
        if 'click' in t or 'free' in t or '$' in t:
            return 'spam'
        return 'ham'
    y = [index[x['label']] for x in r]
    yhat = [index[rule(x['text'])] for x in r]
    return classes, [index['ham'], index['spam']], y, yhat


def r2(y, yhat):
    return float(r2_score(y, yhat))


def main():
    out = {
        'versions': {'scipy': scipy.__version__, 'statsmodels': statsmodels.__version__, 'sklearn': sklearn.__version__, 'numpy': np.__version__},
        'resamples': RESAMPLES,
    }
    out['normal'] = [{'p': p, 'quantile': float(st.norm.ppf(p))} for p in [1e-12, 1e-6, 0.001, 0.01, 0.025, 0.05, 0.2, 0.5, 0.7, 0.975, 0.99, 0.999999]]
    out['normalSf'] = [{'z': z, 'sf': float(st.norm.sf(z))} for z in [-5, -1.96, -0.3, 0, 0.5, 1.2815515655446004, 1.959963984540054, 3, 6, 9]]
    out['t'] = []
    for df in [1, 2, 4, 9, 14, 29, 99, 1000]:
        for t in [0, 0.3, 1, 2.0, 2.776, 4.5, 12]:
            out['t'].append({'t': t, 'df': df, 'sf': float(st.t.sf(t, df))})
    # scipy 1.10's t.ppf is good to ~1e-9 only (t.sf at t.ppf(0.95, 4) is 0.0500000003): the
    # quantile is refined by root-finding on scipy's own t.sf, which is accurate to 1e-15.
    def t_quantile(p, df):
        guess = st.t.ppf(p, df)
        return float(brentq(lambda t: st.t.sf(t, df) - (1 - p), guess * (1 - 1e-6), guess * (1 + 1e-6), xtol=1e-300, rtol=1e-15))
    out['tQuantile'] = [{'p': p, 'df': df, 'quantile': t_quantile(p, df)} for df in [1, 2, 4, 9, 24, 99] for p in [0.6, 0.9, 0.95, 0.975, 0.995, 0.9995]]
    out['binomtest'] = []
    for k, n in [(0, 1), (0, 5), (1, 5), (2, 5), (3, 12), (10, 25), (12, 25), (40, 100), (150, 320), (7, 7)]:
        out['binomtest'].append({'k': k, 'n': n, 'pvalue': float(st.binomtest(k, n, 0.5).pvalue), 'pmf': float(st.binom.pmf(k, n, 0.5))})
    out['mcnemar'] = []
    for b, c in [(0, 0), (1, 0), (0, 4), (3, 9), (5, 5), (12, 25), (30, 12), (60, 80), (200, 150)]:
        res = mcnemar([[100, b], [c, 90]], exact=True)
        k, n = min(b, c), b + c
        # mid-p = 2 P(X <= k) - P(X = k), uncapped first: statsmodels caps the exact p at 1 (b = c).
        mid = float(2 * st.binom.cdf(k, n, 0.5) - st.binom.pmf(k, n, 0.5)) if n else 1.0
        out['mcnemar'].append({'b': b, 'c': c, 'exact': float(res.pvalue), 'midP': min(1.0, mid)})
    holm_cases = [
        [0.01, 0.04, 0.03, 0.005],
        [0.2, 0.01, 0.5, 0.04, 0.049, 0.001],
        [0.5],
        [0.001, 0.001, 0.9],
    ]
    out['holm'] = [{'p': p, 'adjusted': [float(x) for x in multipletests(p, alpha=0.05, method='holm')[1]]} for p in holm_cases]

    # Corrected resampled t: the formula written out (no library has it), on real-looking fold scores.
    cv = []
    for values, ratio in [([0.81, 0.79, 0.84, 0.8, 0.77], 0.25), ([0.02, -0.01, 0.03, 0.015, 0.0, 0.01, 0.025, -0.005, 0.02, 0.01], 1 / 9)]:
        v = np.array(values)
        j = len(v)
        var = (1 / j + ratio) * v.var(ddof=1)
        t = v.mean() / np.sqrt(var)
        q = st.t.ppf(0.975, j - 1)
        cv.append({'values': values, 'ratio': ratio, 'mean': float(v.mean()), 'variance': float(var), 't': float(t), 'pValue': float(2 * st.t.sf(abs(t), j - 1)), 'low': float(v.mean() - q * np.sqrt(var)), 'high': float(v.mean() + q * np.sqrt(var))})
    out['correctedT'] = cv

    cases = []
    classes, y, yhat = weather_case('seattle', 292, 0.0)
    _, _, yhat2 = weather_case('seattle', 292, 1.0)
    for method in ['percentile', 'BCa']:
        cases.append({'name': f'seattle[:292] rain rule accuracy {method}', 'metric': 'accuracy', 'method': method, 'classes': classes, 'yTrue': y, 'yPred': yhat, 'estimate': accuracy(y, yhat), 'interval': boot((y, yhat), accuracy, method, 1)})
        cases.append({'name': f'seattle[:292] rain rule macro-F1 {method}', 'metric': 'macroF1', 'method': method, 'classes': classes, 'yTrue': y, 'yPred': yhat, 'estimate': macro_f1(y, yhat), 'interval': boot((y, yhat), macro_f1, method, 2)})
    classes_sm, own_sm, y_sm, yhat_sm = spam_merged_case(400)
    for method in ['percentile', 'BCa']:
        stat = macro_f1_own(set(own_sm))
        cases.append({'name': f'spam[:400] keyword rule answering an era, macro-F1 over spam\'s own classes {method}', 'metric': 'macroF1', 'method': method, 'classes': classes_sm, 'own': own_sm, 'yTrue': y_sm, 'yPred': yhat_sm, 'estimate': stat(y_sm, yhat_sm), 'allPresent': macro_f1(y_sm, yhat_sm), 'interval': boot((y_sm, yhat_sm), stat, method, 6)})
    diff = lambda a, p1, p2: accuracy(a, p1) - accuracy(a, p2)
    cases.append({'name': 'seattle[:292] accuracy difference of two rules, percentile', 'metric': 'accuracyDifference', 'method': 'percentile', 'classes': classes, 'yTrue': y, 'yPred': yhat, 'yPred2': yhat2, 'estimate': diff(y, yhat, yhat2), 'interval': boot((y, yhat, yhat2), diff, 'percentile', 3)})
    classes_ny, y_ny, yhat_ny = weather_case('new-york', 1461, 0.0)
    cases.append({'name': 'new-york all rows rain rule accuracy BCa', 'metric': 'accuracy', 'method': 'BCa', 'classes': classes_ny, 'yTrue': y_ny, 'yPred': yhat_ny, 'estimate': accuracy(y_ny, yhat_ny), 'interval': boot((y_ny, yhat_ny), accuracy, 'BCa', 4)})
    for name, (tr, te, n) in {'cars usa->japan': ('usa.csv', 'japan.csv', None), 'cars usa->europe first 16': ('usa.csv', 'europe.csv', 16)}.items():
        yt, yp = cars_case(tr, te, n)
        for method in ['percentile', 'BCa']:
            cases.append({'name': f'{name} R2 {method}', 'metric': 'r2', 'method': method, 'yTrue': yt, 'yPred': yp, 'estimate': r2(yt, yp), 'interval': boot((yt, yp), r2, method, 5)})
    out['bootstrap'] = cases
    with open(os.path.join(HERE, 'inference.json'), 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
