"""Peer for bench/ingest.mjs: pandas read_csv + describe on one file, whole process.
Usage: /usr/bin/python3 bench/ingest-pandas.py FILE [all]"""
import os
import resource
import sys

import pandas as pd

df = pd.read_csv(sys.argv[1])
if len(sys.argv) > 2 and sys.argv[2] == "all":
    d = df.describe(include="all")
else:
    d = df.describe()
sys.stdout.write(d.to_json())
if os.environ.get("BENCH_REPORT_RSS") == "1":
    # ru_maxrss is in KiB on Linux
    sys.stderr.write("maxrss_kb=%d\n" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
