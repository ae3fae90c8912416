#!/usr/bin/python3
"""Runs one command as a whole process and reports what bench/*.mjs need to compare processes
fairly: wall time from fork to exit, CPU time (user + system, all threads) and peak resident set
size, from the kernel's accounting of that one child (wait4), the same way for Node and Python.
A Node parent cannot read a child's rusage, and /usr/bin/time rounds wall time to 10 ms.

Usage: /usr/bin/python3 bench/measure.py STDOUT_FILE STDERR_FILE -- CMD [ARG...]
Prints one JSON line: wall_s, user_s, sys_s, maxrss_kb, status."""
import json
import os
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit("usage: measure.py STDOUT_FILE STDERR_FILE -- CMD [ARG...]")
    out_path, err_path, cmd = sys.argv[1], sys.argv[2], sys.argv[4:]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        # wait4 instead of Popen.wait: it returns this child's own rusage.
        _, status, ru = os.wait4(child.pid, 0)
        wall = time.perf_counter() - t0
        child.returncode = os.waitstatus_to_exitcode(status)
    print(json.dumps({
        "wall_s": wall,
        "user_s": ru.ru_utime,
        "sys_s": ru.ru_stime,
        "maxrss_kb": ru.ru_maxrss,  # KiB on Linux
        "status": child.returncode,
    }))


main()
