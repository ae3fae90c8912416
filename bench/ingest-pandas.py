"""Peer for bench/ingest.mjs: pandas read_csv + describe on one file, run as a whole process
(start-up and `import pandas` included in the process's time) and timed in-process (read_csv +
describe only, reported on stderr as inprocess_s=), as a pandas user writes it.
Usage: /usr/bin/python3 bench/ingest-pandas.py FILE [all]"""
import sys
import time

import pandas as pd

t0 = time.perf_counter()
df = pd.read_csv(sys.argv[1])
d = df.describe(include="all") if len(sys.argv) > 2 and sys.argv[2] == "all" else df.describe()
seconds = time.perf_counter() - t0
sys.stdout.write(d.to_json())
sys.stderr.write("inprocess_s=%r\n" % seconds)
