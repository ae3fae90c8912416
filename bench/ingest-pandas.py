"""Peer for bench/ingest.mjs: pandas read_csv + describe on one file, whole process.
Usage: /usr/bin/python3 bench/ingest-pandas.py FILE [all]"""
import sys

import pandas as pd

df = pd.read_csv(sys.argv[1])
if len(sys.argv) > 2 and sys.argv[2] == "all":
    d = df.describe(include="all")
else:
    d = df.describe()
sys.stdout.write(d.to_json())
