#!/usr/bin/python3
"""Reference values for streamLabel.test.ts: the label comparison of two generated files past the
streaming mode's exact caps (over 2,000 distinct classes, over 4,096 distinct regression values).
Writes the same two CSVs as the test (integer arithmetic only, so both write identical bytes),
then computes with pandas/scipy: every class count per file, and for the regression label `y`
scipy's ks_2samp (asymptotic p, as the streaming mode gives it), wasserstein_distance divided by
the reference's population std, and the means. Run: /usr/bin/python3 labelReference.py
(writes labelReference.json beside this script)."""
import json
import os
import sys
import tempfile

import numpy as np
import pandas as pd
from scipy import stats


def rows(n, other):
    out = ['x,cls,y']
    for i in range(n):
        if not other:
            x = i % 97
            cls = f'c{i % 7}' if i % 3 else f'r{i % 4001}'
            y = (i * 7919) % 10007
        else:
            x = i % 89
            cls = f'c{i % 5}' if i % 4 else f's{i % 3001}'
            y = (i * 7919) % 10007 + (700 if i % 2 else 0)
        out.append(f'{x},{cls},{y}')
    return '\n'.join(out) + '\n'


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, n, other in (('ref.csv', 30000, False), ('other.csv', 25000, True)):
            p = os.path.join(tmp, name)
            with open(p, 'w', newline='') as f:
                f.write(rows(n, other))
            paths.append(p)
        a = pd.read_csv(paths[0], dtype={'cls': str})
        b = pd.read_csv(paths[1], dtype={'cls': str})
    ya = a['y'].to_numpy(dtype=float)
    yb = b['y'].to_numpy(dtype=float)
    ks = stats.ks_2samp(ya, yb, method='asymp')
    ref = {
        'rows': [len(a), len(b)],
        'classCounts': [a['cls'].value_counts().to_dict(), b['cls'].value_counts().to_dict()],
        'y': {
            'distinct': [int(a['y'].nunique()), int(b['y'].nunique())],
            'ks': float(ks.statistic),
            'ksPvalueAsymp': float(ks.pvalue),
            'wassersteinNorm': float(stats.wasserstein_distance(ya, yb) / np.std(ya)),
            'means': [float(ya.mean()), float(yb.mean())],
        },
    }
    ref['classCounts'] = [{k: int(v) for k, v in c.items()} for c in ref['classCounts']]
    with open(os.path.join(here, 'labelReference.json'), 'w') as f:
        json.dump(ref, f, indent=0, sort_keys=True)
        f.write('\n')
    print(json.dumps({k: v for k, v in ref.items() if k != 'classCounts'}), 'classes:', [len(c) for c in ref['classCounts']], file=sys.stderr)


if __name__ == '__main__':
    main()
