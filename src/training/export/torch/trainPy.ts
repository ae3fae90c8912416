/**
 * train.py of an exported PyTorch project (exportTorch.ts), as text: bundled into dist/cli.js
 * with the CLI. Python; keep it free of backticks and dollar-brace pairs (a String.raw template).
 */
export const TRAIN_PY = String.raw`#!/usr/bin/env python3
"""Trains a Dataset Lab experiment with PyTorch DistributedDataParallel.

Written by 'dataset-lab export torch'; see README.md beside it. Launch with torchrun:

    torchrun --nproc_per_node 2 train.py [--data NAME=PATH_OR_GLOB ...] [--run-dir DIR]

Everything the run needs is in this folder: export.json (datasets, arms, models, training
settings), preprocessing/<model>.json (imputation, scaling and one-hot categories fitted by
Dataset Lab on each model's training rows) and split.json (the rows of each split); for a
cross-validation, folds.json (each fold's test and validation rows) and preprocessing/fold-NN/
(fitted on each fold's training rows), every fold trained in this one job. The data
files are read from the paths given at launch (--data), or from the paths the export recorded.
The run folder (history.jsonl, results.json, status.json, ...) follows Dataset Lab's run-folder
format, so 'dataset-lab report RUN_DIR' and the dashboard's Open Run show it.
"""
import argparse
import copy
import glob
import json
import math
import os
import random
import shutil
import socket
import sys
import threading
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
# Rows per chunk when reading CSV and JSON Lines files (a process holds one chunk besides its rows).
CHUNK_ROWS = int(os.environ.get("DATASET_LAB_CHUNK_ROWS", "65536"))


class ExportError(Exception):
    """Bad input: printed as one line, exit code 2. collective: every process raises it (a check
    over all processes' rows): only rank 0 prints it."""

    def __init__(self, message, collective=False):
        super().__init__(message)
        self.collective = collective


def now_iso():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def read_json(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return json.load(f)


def write_json_atomic(path, value, indent=2):
    tmp = path + ".tmp-%d" % os.getpid()
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=indent, allow_nan=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# ---------------------------------------------------------------- reading the data


def js_number_string(v):
    """String(v) as JavaScript writes a number: class names of numeric label columns."""
    if v == int(v) and abs(v) < 1e21:
        return str(int(v))
    s = repr(float(v))
    if "e" in s:
        mant, exp = s.split("e")
        s = "%se%s%d" % (mant, "-" if int(exp) < 0 else "+", abs(int(exp)))
    return s


def shard_paths(spec, name):
    paths = sorted(glob.glob(spec)) if any(c in spec for c in "*?[") else [spec]
    if not paths:
        raise ExportError("dataset %s: no file matches %s (a shard is missing or the path is wrong)" % (name, spec))
    for p in paths:
        if not os.path.isfile(p):
            raise ExportError("dataset %s: %s does not exist (a shard is missing or the path is wrong)" % (name, p))
    return paths


def read_frames(path, ds):
    """A file's rows as pandas frames, in order: CSV and JSON Lines in chunks of CHUNK_ROWS rows
    (only the export's columns kept), Parquet and Arrow as one frame per file."""
    import pandas as pd

    fmt = ds["format"]
    cols = ds["columns"]

    def failed(e):
        # pandas raises many kinds; the message says which file
        return ExportError("dataset %s: cannot read %s: %s" % (ds["name"], path, str(e).splitlines()[0] if str(e) else type(e).__name__))

    try:
        if fmt == "csv":
            chunks = pd.read_csv(path, sep=ds["delimiter"], dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig", usecols=lambda c: c.strip() in cols, chunksize=CHUNK_ROWS)
        elif fmt == "jsonl":
            chunks = pd.read_json(path, lines=True, dtype=False, chunksize=CHUNK_ROWS)
        elif fmt == "parquet":
            chunks = iter([pd.read_parquet(path, columns=cols)])
        else:
            chunks = iter([pd.read_feather(path, columns=cols)])
    except Exception as e:
        raise failed(e)
    while True:
        try:
            frame = next(chunks)
        except StopIteration:
            return
        except Exception as e:
            raise failed(e)
        if fmt == "csv":
            frame.columns = [c.strip() for c in frame.columns]
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ExportError("dataset %s: %s has no column %s" % (ds["name"], path, ", ".join(repr(c) for c in missing)))
        yield frame[cols]


def parse_dates(series, miss, fmt):
    """Wall-clock milliseconds (NaN: missing or unreadable) of a date column in the format our reader inferred."""
    import numpy as np
    import pandas as pd

    if fmt.startswith("epoch "):
        v = pd.to_numeric(series.astype(str).str.strip(), errors="coerce").to_numpy(dtype=np.float64)
        v = v * 1000.0 if fmt == "epoch seconds" else v
    else:
        t = pd.to_datetime(series.astype(str).str.strip().where(~miss), format=fmt, errors="coerce")
        v = np.where(t.isna().to_numpy(), np.nan, t.to_numpy(dtype="datetime64[ns]").astype("int64") / 1e6)
    v = v.astype(np.float64)
    v[miss] = np.nan
    return v


def rank_starts(rows, world):
    """First data row of each rank's range: rank r holds rows [starts[r], starts[r + 1])."""
    import numpy as np

    return np.array([rows * r // world for r in range(world)] + [rows], dtype=np.int64)


def convert(frame, ds):
    """A frame of text cells as numpy columns: numbers and dates as float64 (NaN missing),
    categories as objects (None missing), the label, and which labels are missing."""
    import numpy as np
    import pandas as pd

    tokens = set(ds["missing"])

    def is_missing(series):
        return series.isna() | series.astype(str).str.strip().isin(tokens)

    columns = {}
    for f in ds["featureKinds"]:
        s = frame[f["name"]]
        miss = is_missing(s).to_numpy(dtype=bool)
        if f["kind"] == "numeric":
            v = pd.to_numeric(s.astype(str).str.strip(), errors="coerce").to_numpy(dtype=np.float64)
            v[miss] = np.nan
            columns[f["name"]] = v
        elif f["kind"] == "datetime":
            columns[f["name"]] = parse_dates(s, miss, f["format"])
        else:
            v = s.astype(str).to_numpy(dtype=object)
            v[miss] = None
            columns[f["name"]] = v
    lab = frame[ds["label"]]
    miss = is_missing(lab).to_numpy(dtype=bool)
    if ds["labelNumeric"]:
        nums = pd.to_numeric(lab.astype(str).str.strip(), errors="coerce").to_numpy(dtype=np.float64)
        miss = miss | np.isnan(nums)
        labels = nums if ds["task"] == "regression" else np.array([None if m else js_number_string(x) for x, m in zip(nums, miss)], dtype=object)
    else:
        labels = lab.astype(str).to_numpy(dtype=object)
    return columns, labels, miss


def load_dataset(ds, spec, lo=0, hi=None):
    """Data rows lo..hi-1 of a dataset (0-based over all its shards in name order) as numpy
    columns. The files are read in chunks, each chunk's rows in the range converted at once (so
    only one chunk is ever held as text); reading stops after the range, unless it ends at the
    last row: then on to the end, to check the row count."""
    import numpy as np
    import pandas as pd

    total = ds["rows"]
    hi = total if hi is None else hi
    paths = shard_paths(spec, ds["name"])
    where = paths[0] if len(paths) == 1 else "%d shards (%s ... %s)" % (len(paths), os.path.basename(paths[0]), os.path.basename(paths[-1]))
    kept = []
    offset = 0
    stopped = False
    for path in paths:
        for frame in read_frames(path, ds):
            n = len(frame)
            a, b = max(lo, offset), min(hi, offset + n)
            if a < b:
                kept.append(convert(frame.iloc[a - offset : b - offset], ds))
            offset += n
            del frame
            if hi < total and offset >= hi:
                stopped = True
                break
        if stopped:
            break
    if not stopped and offset != total:
        raise ExportError(
            "dataset %s: read %d rows from %s, but the export's split has %d; a shard is missing or the data changed since the export"
            % (ds["name"], offset, where, total)
        )
    if not kept:
        kept.append(convert(pd.DataFrame({c: pd.Series([], dtype=object) for c in ds["columns"]}), ds))
    columns = {f["name"]: np.concatenate([k[0][f["name"]] for k in kept]) for f in ds["featureKinds"]}
    labels = np.concatenate([k[1] for k in kept])
    miss = np.concatenate([k[2] for k in kept])
    return columns, labels, miss, where, offset


class Source:
    """One dataset's labelled rows per split: every split row (split.json), and the label of the
    rows this process holds (data rows lo..hi-1) as class index or value."""

    def __init__(self, ds, split, columns, labels, missing_label, where, lo=0, hi=None, owned=None):
        import numpy as np

        self.name = ds["name"]
        self.task = ds["task"]
        self.classes = ds["classes"]
        self.columns = columns
        self.where = where
        self.rows_total = ds["rows"]
        self.lo = lo
        self.hi = ds["rows"] if hi is None else hi
        # The data rows this rank counts in the label check (its share; all rows it holds by default).
        own_lo, own_hi = owned or (self.lo, self.hi)
        index = {c: i for i, c in enumerate(self.classes)}
        self.rows = {}
        self.held = {}
        self.y = {}
        self.tally = {}
        for part in ("train", "validation", "test"):
            rows = np.asarray(split[self.name][part], dtype=np.int64)
            if len(rows) and (rows.min() < 0 or rows.max() >= self.rows_total):
                raise ExportError("dataset %s: the %s split names rows past the %d of %s; the data changed since the export" % (self.name, part, self.rows_total, where))
            held = (rows >= self.lo) & (rows < self.hi)
            local = rows[held] - self.lo
            counted = (rows[held] >= own_lo) & (rows[held] < own_hi)
            if missing_label[local].any():
                raise ExportError("dataset %s: the %s split names rows without a label in %s; the data changed since the export" % (self.name, part, where))
            if self.task == "classification":
                unknown = [labels[r] for r in local if labels[r] not in index]
                if unknown:
                    raise ExportError("dataset %s: class %r of %s is not among the export's classes; the data changed since the export" % (self.name, unknown[0], where))
                y = np.array([index[labels[r]] for r in local], dtype=np.int64)
                self.tally[part] = np.bincount(y[counted], minlength=len(self.classes)).astype(np.float64)
            else:
                y = labels[local].astype(np.float64)
                self.tally[part] = np.array([y[counted].sum()], dtype=np.float64)
            self.rows[part] = rows
            self.held[part] = held
            self.y[part] = y

    def local(self, part):
        """The held rows of a split as positions in this process's columns."""
        return self.rows[part][self.held[part]] - self.lo


def check_labels(comm, exp, sources):
    """Per dataset and split, the class counts (or the label sum) over every process's rows against
    the export's: each process counted the rows it holds, the counts are added up."""
    import numpy as np

    parts = ("train", "validation", "test")
    total = comm.sum(np.concatenate([sources[ds["name"]].tally[p] for ds in exp["datasets"] for p in parts]))
    at = 0
    for ds in exp["datasets"]:
        s = sources[ds["name"]]
        for part in parts:
            n = len(s.tally[part])
            got = total[at : at + n]
            at += n
            if s.task == "classification":
                counts = [int(round(v)) for v in got]
                if counts != ds["classCounts"][part]:
                    raise ExportError("dataset %s: the %s rows of %s hold other labels than at export (class counts %s, expected %s); the data changed since the export" % (s.name, part, s.where, counts, ds["classCounts"][part]), collective=True)
            elif abs(float(got[0]) - ds["labelSums"][part]) > 1e-6 * max(1.0, abs(ds["labelSums"][part])):
                raise ExportError("dataset %s: the %s rows of %s hold other labels than at export; the data changed since the export" % (s.name, part, s.where), collective=True)


class Comm:
    """The process group as train.py uses it (one process without torchrun)."""

    def __init__(self, torch, dist, world, rank, device):
        self.torch, self.dist, self.world, self.rank, self.device = torch, dist, world, rank, device
        self.on = dist.is_initialized()

    def sum(self, values):
        """Element-wise sum over the processes of a float64 numpy vector."""
        import numpy as np

        if not self.on:
            return np.asarray(values, dtype=np.float64)
        t = self.torch.tensor(np.asarray(values, dtype=np.float64), dtype=self.torch.float64, device=self.device)
        self.dist.all_reduce(t)
        return t.cpu().numpy()

    def gather(self, value):
        """Every process's value (picklable), in rank order."""
        if not self.on:
            return [value]
        out = [None] * self.world
        self.dist.all_gather_object(out, value)
        return out

    def assemble(self, n, index, values):
        """A global array of n rows from each process's rows index and their values."""
        import numpy as np

        out = None
        for idx, v in self.gather((index, values)):
            if out is None:
                out = np.zeros((n,) + v.shape[1:], dtype=v.dtype)
            out[idx] = v
        return out


def encode(prep, source, rows):
    """The model inputs of the rows: Dataset Lab's fitted preprocessing (preprocess.ts transformRows)."""
    import numpy as np

    out = np.zeros((len(rows), len(prep["outputs"])), dtype=np.float32)
    j = 0
    for f in prep["features"]:
        col = source.columns[f["name"]][rows]
        if f["kind"] == "numeric":
            v = np.where(np.isnan(col), f["fill"], col)
            out[:, j] = (v - f["center"]) / f["scale"]
            j += 1
        elif f["kind"] == "datetime":
            # preprocess.ts encodeDatetime: wall-time calendar parts, cyclic month / weekday / hour.
            missing = np.isnan(col)
            instant = np.where(missing, f["fill"], col)
            local = np.where(missing, f["fill"] + f["fillOffset"], col)
            days = np.floor(local / 86400000.0)
            hour = (local - days * 86400000.0) / 3600000.0
            d = days.astype("int64").astype("datetime64[D]")
            year = d.astype("datetime64[Y]").astype("int64") + 1970
            month = d.astype("datetime64[M]").astype("int64") % 12 + 1
            weekday = ((days + 3) % 7 + 7) % 7
            for part in f["parts"]:
                if part == "year":
                    out[:, j] = (year - f["year"]["center"]) / f["year"]["scale"]
                    j += 1
                elif part == "days":
                    out[:, j] = ((instant - f["reference"]) / 86400000.0 - f["days"]["center"]) / f["days"]["scale"]
                    j += 1
                else:
                    angle = 2 * math.pi * {"month": (month - 1) / 12.0, "dayOfWeek": weekday / 7.0, "hour": hour / 24.0}[part]
                    out[:, j] = np.sin(angle)
                    out[:, j + 1] = np.cos(angle)
                    j += 2
        else:
            index = {c: k for k, c in enumerate(f["categories"])}
            for i, v in enumerate(col):
                k = index.get(f["fill"] if v is None else v)
                if k is not None:
                    out[i, j + k] = 1.0
            j += len(f["categories"])
    return out


class ModelData:
    """One split's rows for one model, its sources side by side (modelData.ts buildSplit). Row i
    of the split (0 <= i < n) is the i-th row of its sources' split rows, one source after the
    other; this process holds the encoded rows index (those of its data rows), and evaluates
    the rows owner assigns to its rank (the rank whose data rows they are)."""

    def __init__(self, model, prep, sources, part, train_weights, comm):
        import numpy as np

        xs, labels, weights, held, owners = [], [], [], [], []
        heads = len(model["heads"])
        sizes = []
        offset = 0
        for si, name in enumerate(model["sources"]):
            s = sources[name]
            rows = s.rows[part]
            sizes.append(len(rows))
            owners.append(np.searchsorted(rank_starts(s.rows_total, comm.world), rows, side="right") - 1)
            held.append(offset + np.flatnonzero(s.held[part]))
            offset += len(rows)
            xs.append(encode(prep, s, s.local(part)))
            h = model["headOf"][si]
            n = len(held[-1])
            lab = np.zeros((n, heads), dtype=np.float64)
            w = np.zeros((n, heads), dtype=np.float32)
            if s.task == "classification":
                lab[:, h] = np.asarray(model["classMap"][si], dtype=np.int64)[s.y[part]]
            else:
                lab[:, h] = s.y[part]
            w[:, h] = train_weights[si] if part == "train" else 1.0
            labels.append(lab)
            weights.append(w)
        self.n = offset
        self.heads = heads
        self.slot_all = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
        self.owner = np.concatenate(owners).astype(np.int32) if owners else np.zeros(0, np.int32)
        self.index = np.concatenate(held).astype(np.int64)
        self.slot = self.slot_all[self.index]
        self.x = np.concatenate(xs) if xs else np.zeros((0, len(prep["outputs"])), np.float32)
        self.raw = np.concatenate(labels)
        self.w = np.concatenate(weights)
        # Regression targets standardised with the training rows' mean and spread (the export's targetScale).
        self.target = self.raw.copy()
        for h, head in enumerate(model["heads"]):
            sc = head.get("targetScale")
            if sc:
                self.target[:, h] = (self.raw[:, h] - sc[0]) / sc[1]
        # Positions (in the held rows) of the rows this rank evaluates.
        self.mine = np.flatnonzero(self.owner[self.index] == comm.rank)
        # Validation and test: every row's labels on every process, for the metrics (n x heads).
        self.raw_all = comm.assemble(self.n, self.index[self.mine], self.raw[self.mine]) if part != "train" else None


# ---------------------------------------------------------------- the network


def build_network(torch, spec, model):
    nn = torch.nn
    act = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "elu": nn.ELU}[spec["activation"]]

    def stack(width, sizes):
        layers = []
        for units in sizes:
            layers += [nn.Linear(width, units), act()]
            if spec["dropout"] > 0:
                layers.append(nn.Dropout(spec["dropout"]))
            width = units
        return layers, width

    class Net(nn.Module):
        """The MLP of Dataset Lab's model plan (network.ts): a shared trunk and one output block per head."""

        def __init__(self):
            super().__init__()
            trunk, width = stack(spec["inputs"], spec["hidden"])
            self.trunk = nn.Sequential(*trunk)
            heads = []
            for head in model["heads"]:
                hidden, w = stack(width, spec["headHidden"])
                heads.append(nn.Sequential(*hidden, nn.Linear(w, head["units"])))
            self.heads = nn.ModuleList(heads)
            # Uncertainty weighting (Kendall et al.): one learnable log-variance per head.
            self.log_vars = nn.Parameter(torch.zeros(len(heads))) if model["weighting"] == "uncertainty" else None

        def forward(self, x):
            h = self.trunk(x)
            return [head(h) for head in self.heads]

    return Net()


def kernels(net):
    return [m.weight for m in net.modules() if isinstance(m, __import__("torch").nn.Linear)]


def head_sums(torch, outputs, heads, target, weight):
    """Per head: sum over rows of weight x loss (softmax cross-entropy, or squared error), and the weights' sum."""
    sums, wsums = [], []
    for h, head in enumerate(heads):
        w = weight[:, h]
        if head["task"] == "classification":
            loss = torch.nn.functional.cross_entropy(outputs[h], target[:, h].long(), reduction="none")
        else:
            loss = (outputs[h][:, 0] - target[:, h]) ** 2
        sums.append((w * loss).sum())
        wsums.append(w.sum())
    return torch.stack(sums), torch.stack(wsums)


# ---------------------------------------------------------------- batch order


def epoch_order(model, data, epoch, seed):
    """Global row order of one epoch, the same on every rank (schedule.ts): balancing and mixing."""
    import numpy as np

    rng = np.random.RandomState((seed * 1000003 + epoch) % (2**32))
    by_slot = [np.flatnonzero(data.slot_all == s) for s in range(len(model["sources"]))]
    sizes = [len(r) for r in by_slot]
    if model["balancing"] in ("oversample", "undersample") and len(sizes) > 1:
        target = max(sizes) if model["balancing"] == "oversample" else min(sizes)
        parts = []
        for rows in by_slot:
            sh = rng.permutation(rows)
            parts.append(sh[:target] if target <= len(sh) else np.concatenate([sh, sh[rng.randint(0, len(sh), target - len(sh))]]))
        return rng.permutation(np.concatenate(parts))
    if model["mixing"] in ("equal", "temperature") and len(sizes) > 1:
        t = math.inf if model["mixing"] == "equal" else model["temperature"]
        rate = np.array([1.0 if t == math.inf else n ** (1.0 / t) for n in sizes])
        pick = rng.choice(len(sizes), size=data.n, p=rate / rate.sum())
        out = np.empty(data.n, dtype=np.int64)
        cursors = [[rng.permutation(r), 0] for r in by_slot]
        for k, s in enumerate(pick):
            c = cursors[s]
            if c[1] >= len(c[0]):
                c[0], c[1] = rng.permutation(by_slot[s]), 0
            out[k] = c[0][c[1]]
            c[1] += 1
        return out
    return None  # a plain shuffle: DistributedSampler's own


def padded_order(torch, model, data, epoch, seed, world):
    """The epoch's row order padded to a multiple of world: rank r trains on order[r::world], in
    batches of batchSize / world. Exactly DistributedSampler's (shuffle=True, drop_last=False):
    torch.randperm seeded with seed + epoch, padded by repeating its start; or the scheduled
    order of balancing and mixing (epoch_order). The test compares it with DistributedSampler."""
    import numpy as np

    order = epoch_order(model, data, epoch, seed)
    if order is None:
        g = torch.Generator()
        g.manual_seed(seed + epoch)
        order = torch.randperm(data.n, generator=g).numpy()
    order = np.asarray(order, dtype=np.int64)
    pad = int(math.ceil(len(order) / world)) * world - len(order)
    if pad and len(order):
        order = np.concatenate([order, np.tile(order, int(math.ceil(pad / len(order))))[:pad]])
    return order


class RowExchange:
    """Training rows for a process that holds only its own: each step, every process sends the rows
    it holds of every process's next batch (one all_gather), and takes its batch from them. The
    batches are the ones a process holding every row would take (padded_order), value for value."""

    def __init__(self, torch, dist, data, world, rank, device):
        import numpy as np

        self.torch, self.dist, self.world, self.rank, self.device = torch, dist, world, rank, device
        self.index, self.owner = data.index, data.owner
        self.f, self.h = data.x.shape[1], data.heads
        self.packed = torch.from_numpy(np.concatenate([data.x.astype(np.float64), data.target, data.w.astype(np.float64)], axis=1))

    def fetch(self, batches):
        """The rows (x, target, weight) of this rank's batch; batches: every rank's, as split row numbers."""
        import numpy as np

        torch = self.torch
        need = np.unique(np.concatenate(batches))
        own = self.owner[need]
        counts = np.bincount(own, minlength=self.world)
        width = max(1, int(counts.max()))
        mine = need[own == self.rank]
        send = torch.zeros((width, self.packed.shape[1]), dtype=torch.float64)
        send[: len(mine)] = self.packed[torch.from_numpy(np.searchsorted(self.index, mine))]
        send = send.to(self.device)
        recv = [torch.zeros_like(send) for _ in range(self.world)]
        self.dist.all_gather(recv, send)
        table = torch.stack(recv)
        # Where each needed row is: its owner's block, at its place among that owner's rows.
        by_owner = np.argsort(own, kind="stable")
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        place = np.empty(len(need), dtype=np.int64)
        place[by_owner] = np.arange(len(need)) - starts[own[by_owner]]
        k = np.searchsorted(need, batches[self.rank])
        rows = table[torch.from_numpy(own[k].astype(np.int64)).to(self.device), torch.from_numpy(place[k]).to(self.device)]
        return rows[:, : self.f].float(), rows[:, self.f : self.f + self.h].float(), rows[:, self.f + self.h :].float()


# ---------------------------------------------------------------- metrics (metrics.ts: scikit-learn's definitions)


def classification_metrics(y_true, y_pred, names, own=None):
    """own: the source's own class indices (merged arm): macro-F1 and perClass average over them only."""
    present = sorted(set(int(v) for v in y_true) | set(int(v) for v in y_pred))
    pos = {c: k for k, c in enumerate(present)}
    m = len(present)
    confusion = [[0] * m for _ in range(m)]
    correct = 0
    for t, p in zip(y_true, y_pred):
        confusion[pos[int(t)]][pos[int(p)]] += 1
        correct += int(t) == int(p)
    per_class = {}
    f1_sum = 0.0
    averaged = 0
    for k in range(m):
        if own is not None and present[k] not in own:
            continue
        tp = confusion[k][k]
        predicted = sum(confusion[j][k] for j in range(m))
        actual = sum(confusion[k])
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        per_class[names[present[k]]] = {"precision": precision, "recall": recall, "f1": f1, "support": actual}
        f1_sum += f1
        averaged += 1
    n = len(y_true)
    return {
        "task": "classification",
        "n": n,
        "accuracy": correct / n if n else None,
        "macroF1": f1_sum / averaged if averaged else None,
        "perClass": per_class,
        "confusion": confusion,
        "labels": [names[c] for c in present],
    }


def regression_metrics(y_true, y_pred):
    n = len(y_true)
    mean = sum(y_true) / n
    ss_res = sum((t - p) ** 2 for t, p in zip(y_true, y_pred))
    ss_tot = sum((t - mean) ** 2 for t in y_true)
    r2 = 1 - ss_res / ss_tot if ss_tot > 0 else (1.0 if ss_res == 0 else 0.0)
    return {"task": "regression", "n": n, "r2": r2, "mae": sum(abs(t - p) for t, p in zip(y_true, y_pred)) / n, "rmse": math.sqrt(ss_res / n)}


def primary(m):
    v = m["accuracy"] if m["task"] == "classification" else m["r2"]
    return v if v is not None and math.isfinite(v) else None


# ---------------------------------------------------------------- training one model


def predict(torch, net, model, data, comm):
    """Per row of the split: the prediction in its head's label space (class index, or value in
    label units). Each rank predicts the rows it evaluates; every rank gets them all."""
    import numpy as np

    x = data.x[data.mine]
    slots = data.slot[data.mine]
    net.eval()
    with torch.no_grad():
        dev = next(net.parameters()).device
        outs = [o.cpu().numpy() for o in net(torch.from_numpy(x).to(dev))] if len(x) else [np.zeros((0, h["units"])) for h in model["heads"]]
    pred = np.zeros(len(x))
    for i in range(len(x)):
        h = model["headOf"][slots[i]]
        head = model["heads"][h]
        if head["task"] == "classification":
            pred[i] = int(np.argmax(outs[h][i]))
        else:
            sc = head.get("targetScale") or [0.0, 1.0]
            pred[i] = float(outs[h][i][0]) * sc[1] + sc[0]
    return comm.assemble(data.n, data.index[data.mine], pred)


def evaluate(model, data, pred, all_names):
    """Metrics per source and pooled (evaluate.ts), from predictions in head label space; and per
    source the true and predicted labels as class indices into all_names (regression: values),
    which predictions.json holds (evaluate.ts sourcePredictions)."""
    by_source = {}
    per_source = {}
    pooled_true, pooled_pred = [], []
    index = {c: i for i, c in enumerate(all_names)}
    for si, name in enumerate(model["sources"]):
        h = model["headOf"][si]
        head = model["heads"][h]
        rows = [i for i in range(data.n) if data.slot_all[i] == si]
        yt = [float(data.raw_all[i, h]) for i in rows]
        yp = [float(pred[i]) for i in rows]
        if head["task"] == "classification":
            by_source[name] = classification_metrics(yt, yp, head["classes"], set(int(c) for c in model["classMap"][si]))
            yt = [index[head["classes"][int(v)]] for v in yt]
            yp = [index[head["classes"][int(v)]] for v in yp]
        else:
            by_source[name] = regression_metrics(yt, yp)
        per_source[name] = (yt, yp)
        pooled_true += yt
        pooled_pred += yp
    return by_source, (pooled_true, pooled_pred), per_source


def head_losses(torch, net, model, data, comm):
    """Masked mean loss per head over all rows of a split, without dropout (None: no row for the
    head): each rank's sums over the rows it evaluates, added up."""
    import numpy as np

    net.eval()
    m = data.mine
    with torch.no_grad():
        dev = next(net.parameters()).device
        outs = net(torch.from_numpy(data.x[m]).to(dev))
        sums, wsums = head_sums(torch, outs, model["heads"], torch.from_numpy(data.target[m]).float().to(dev), torch.from_numpy(data.w[m]).to(dev))
    heads = len(model["heads"])
    total = comm.sum(np.concatenate([sums.double().cpu().numpy(), wsums.double().cpu().numpy()]))
    return [float(total[h] / total[heads + h]) if total[heads + h] > 0 else None for h in range(heads)]


class Diverged(Exception):
    def __init__(self, epoch, message):
        super().__init__(message)
        self.epoch = epoch


def train_model(torch, dist, ctx, model, sources, prep, history):
    """Trains one model of an arm (trainLoop.ts), rank 0 recording its epochs; returns its test metrics."""
    import numpy as np

    t = ctx["training"]
    world, rank = ctx["world"], ctx["rank"]
    comm = ctx["comm"]
    train = ModelData(model, prep, sources, "train", model["trainWeights"], comm)
    val = ModelData(model, prep, sources, "validation", model["trainWeights"], comm) if ctx["validation"] else None
    # The refit of a cross-validation has no test rows: it is trained only to be saved.
    test = ModelData(model, prep, sources, "test", model["trainWeights"], comm) if any(len(sources[n].rows["test"]) for n in model["sources"]) else None
    torch.manual_seed(t["seed"])
    device = ctx["device"]
    net = build_network(torch, dict(ctx["network"], inputs=len(prep["outputs"])), model).to(device)
    if dist.is_initialized():
        ddp = torch.nn.parallel.DistributedDataParallel(net, device_ids=[device.index] if device.type == "cuda" else None)
    else:
        ddp = net
    params = list(ddp.parameters())
    if t["optimizer"] == "adam":
        opt = torch.optim.Adam(params, lr=t["learningRate"], betas=(0.9, 0.999), eps=1e-7)
    elif t["optimizer"] == "rmsprop":
        opt = torch.optim.RMSprop(params, lr=t["learningRate"], alpha=0.9, eps=1e-7)
    else:
        opt = torch.optim.SGD(params, lr=t["learningRate"])
    local_batch = max(1, int(math.ceil(t["batchSize"] / world)))
    # A process holding only its rows gets the others' from their ranks (RowExchange); one holding
    # every row (one process, or --read-all) indexes its own.
    # (Decided alike on every rank: a rank may happen to hold every row of a small model's split.)
    exchange = RowExchange(torch, dist, train, world, rank, device) if world > 1 and not ctx["readAll"] else None
    if exchange is None:
        x_all = torch.from_numpy(train.x).to(device)
        y_all = torch.from_numpy(train.target).float().to(device)
        w_all = torch.from_numpy(train.w).to(device)
    heads = len(model["heads"])
    static = torch.tensor(model["staticWeights"], dtype=torch.float32, device=device)
    l2 = ctx["l2"]
    dwa = [1.0] * heads
    best, best_epoch, best_state, since_best = math.inf, 0, None, 0
    records = []
    epochs = 0
    for epoch in range(1, t["epochs"] + 1):
        if model["weighting"] == "dwa" and len(records) >= 2:
            a, b = records[-1]["headTrainLoss"], records[-2]["headTrainLoss"]
            r = [a[h] / b[h] if b[h] > 0 else 1.0 for h in range(heads)]
            ex = [math.exp(v / model["dwaTemperature"]) for v in r]
            dwa = [heads * v / sum(ex) for v in ex]
        order = padded_order(torch, model, train, epoch, t["seed"], world)
        per_rank = [order[q::world] for q in range(world)]
        ddp.train()
        started = time.time()
        head_sum = torch.zeros(heads, dtype=torch.float64, device=device)
        head_w = torch.zeros(heads, dtype=torch.float64, device=device)
        seen = 0
        bad = 0.0
        for start in range(0, len(per_rank[rank]), local_batch):
            batches = [r[start : start + local_batch] for r in per_rank]
            if exchange is not None:
                x, y, w = exchange.fetch(batches)
            else:
                idx = torch.from_numpy(batches[rank]).to(device)
                x, y, w = x_all[idx], y_all[idx], w_all[idx]
            outputs = ddp(x)
            sums, wsums = head_sums(torch, outputs, model["heads"], y, w)
            # Each head's loss is its masked, weighted mean over the GLOBAL batch: the weight sums of
            # every rank are added, and x world because DDP averages the ranks' gradients.
            total_w = wsums.detach().clone()
            if world > 1:
                dist.all_reduce(total_w)
            present = (total_w > 0).float()
            losses = sums / total_w.clamp_min(1e-12) * world
            if model["weighting"] == "uncertainty":
                s = net.log_vars
                objective = ((torch.exp(-s) * losses * 0.5 + s * 0.5) * present).sum()
            else:
                lam = static * torch.tensor(dwa if model["weighting"] == "dwa" else [1.0] * heads, device=device) * present
                objective = (losses * lam).sum()
            if l2 > 0:
                objective = objective + 0.5 * l2 * sum((k**2).sum() for k in kernels(net))
            opt.zero_grad()
            objective.backward()
            opt.step()
            if not math.isfinite(float(objective)):
                bad = 1.0
            head_sum += sums.detach().double()
            head_w += wsums.detach().double()
            seen += len(batches[rank])
        epochs = epoch
        stats = torch.cat([head_sum, head_w, torch.tensor([float(seen), bad], dtype=torch.float64, device=device)])
        if world > 1:
            dist.all_reduce(stats)
        stats = stats.cpu()
        head_train = [float(stats[h] / stats[heads + h]) if stats[heads + h] > 0 else float("nan") for h in range(heads)]
        seen_all, bad_all = float(stats[2 * heads]), float(stats[2 * heads + 1])
        if bad_all > 0 or not all(math.isfinite(v) for v in head_train if v == v):
            raise Diverged(epoch, "%s: the loss became NaN/infinite at epoch %d; lower training.learningRate" % (model["id"], epoch))
        if model["weighting"] == "uncertainty":
            weights = [math.exp(-float(v)) / 2 for v in net.log_vars.detach()]
        elif model["weighting"] == "dwa":
            weights = [dwa[h] * model["staticWeights"][h] for h in range(heads)]
        else:
            weights = list(model["staticWeights"])
        reg = 0.5 * l2 * float(sum((k.detach() ** 2).sum() for k in kernels(net))) if l2 > 0 else 0.0
        train_loss = sum(weights[h] * head_train[h] for h in range(heads) if head_train[h] == head_train[h]) + reg
        val_heads = head_losses(torch, net, model, val, comm) if val is not None else [None] * heads
        val_pred = predict(torch, net, model, val, comm) if val is not None else None
        val_loss = sum(model["staticWeights"][h] * v for h, v in enumerate(val_heads) if v is not None) if val is not None else None
        seconds = time.time() - started
        rec = {"headTrainLoss": head_train}
        records.append(rec)
        if rank == 0:
            sources_rec = {}
            if val is not None:
                by_source, _, _ = evaluate(model, val, val_pred, ctx["allClasses"])
                for name, m in by_source.items():
                    sources_rec[name] = {"metric": "accuracy" if m["task"] == "classification" else "r2", "value": primary(m)}
            history(
                {
                    "arm": model["arm"],
                    "model": model["id"],
                    **({"fold": ctx["fold"]} if ctx.get("fold") else {}),
                    "epoch": epoch,
                    "trainLoss": train_loss,
                    "valLoss": val_loss,
                    "heads": {h["name"]: {"trainLoss": head_train[k], "valLoss": val_heads[k], "weight": weights[k]} for k, h in enumerate(model["heads"])},
                    "sources": sources_rec,
                    "seconds": seconds,
                    "samplesPerSecond": seen_all / seconds if seconds > 0 else 0,
                }
            )
        monitored = val_loss if val_loss is not None else train_loss
        improved = monitored < best - 1e-7
        stop = not improved and since_best + 1 >= t["earlyStopping"]["patience"]
        if world > 1:
            # Rank 0 decides: the ranks' validation losses may differ in the last bits on GPUs.
            decision = torch.tensor([float(improved), float(stop)], device=device)
            dist.broadcast(decision, src=0)
            improved, stop = bool(decision[0].item()), bool(decision[1].item())
        if improved:
            best, best_epoch, since_best = monitored, epoch, 0
            if t["earlyStopping"]["restoreBestWeights"]:
                best_state = copy.deepcopy(net.state_dict())
        else:
            since_best += 1
            if stop:
                break
    if best_state is not None and t["earlyStopping"]["restoreBestWeights"]:
        net.load_state_dict(best_state)
    best_or_last = best_epoch if t["earlyStopping"]["restoreBestWeights"] else epochs
    if ctx["save"]:
        if rank == 0:
            torch.save({k: v.cpu() for k, v in net.state_dict().items()}, os.path.join(ctx["runDir"], "models", model["id"].replace("/", "__") + ".pt"))
    if test is None:
        return {}, None, {}, epochs, best_or_last
    pred = predict(torch, net, model, test, comm)
    by_source, pooled, per_source = evaluate(model, test, pred, ctx["allClasses"])
    # Per source: its test rows (0-based data rows, split.json's order) with both labels, and
    # (classification) its own classes, over which its macro-F1 averages (metrics.ts).
    class_index = {c: i for i, c in enumerate(ctx["allClasses"])}
    predictions = {name: {"task": sources[name].task, "rows": sources[name].rows["test"].tolist(), "yTrue": yt, "yPred": yp, **({"ownClasses": [class_index[c] for c in sources[name].classes]} if sources[name].task == "classification" else {})} for name, (yt, yp) in per_source.items()}
    return by_source, pooled, predictions, epochs, best_or_last


def train_arm(torch, dist, ctx, arm, models, sources, history):
    """Every model of one arm on one split (holdout, a fold, or the refit): per source its metrics
    (with the epochs of the model that scored it), the pooled parts, the test predictions, the
    arm's epochs; or why it diverged."""
    started = time.time()
    out = {"bySource": {}, "parts": [], "predictions": {}, "epochs": 0, "bestEpoch": 0, "diverged": None}
    for model in [m for m in models if m["arm"] == arm]:
        prep = read_json(model["preprocessing"])
        try:
            res, pooled, preds, ep, best_ep = train_model(torch, dist, ctx, model, sources, prep, history)
        except Diverged as e:
            out["diverged"] = {"model": model["id"], "epoch": e.epoch, "kind": "nan", "message": str(e), **({"fold": ctx["fold"]} if ctx.get("fold") else {})}
            break
        for name, m in res.items():
            out["bySource"][name] = dict(m, epochs=ep, bestEpoch=best_ep)
        if pooled is not None:
            out["parts"].append(pooled)
        out["predictions"].update(preds)
        if ep >= out["epochs"]:
            out["epochs"], out["bestEpoch"] = ep, best_ep
    out["seconds"] = time.time() - started
    return out


def fold_splits(split, folds, j):
    """The split of fold j (0-based, repeats counted on): its test and validation rows from
    folds.json, the other labelled rows (split.json's refit split: train + validation) train;
    every list in ascending data-row order, as Dataset Lab's run orders them."""
    import numpy as np

    out = {}
    for name, part in split.items():
        labelled = np.sort(np.asarray(part["train"] + part["validation"], dtype=np.int64))
        test = folds["datasets"][name]["test"][j]
        validation = folds["datasets"][name]["validation"][j]
        held = np.isin(labelled, np.asarray(test + validation, dtype=np.int64))
        out[name] = {"train": labelled[~held].tolist(), "validation": list(validation), "test": list(test)}
    return out


def cv_source_result(task, per_fold, parts, classes, own):
    """One source's scores over the folds as results.json holds them before Dataset Lab reads the
    run: each headline metric the mean of its fold values, per-class figures and the confusion
    from every fold's test predictions together, and the fold scores. Dataset Lab recomputes
    these, with their intervals, from predictions.json (runEvidence.ts)."""
    yt = [v for t, _ in parts for v in t]
    yp = [v for _, p in parts for v in p]
    keys = ("accuracy", "macroF1") if task == "classification" else ("r2", "mae", "rmse")
    m = classification_metrics(yt, yp, classes, own) if task == "classification" else regression_metrics(yt, yp)
    for k in keys:
        values = [f[k] for f in per_fold]
        m[k] = sum(values) / len(values) if values and all(v is not None for v in values) else None
    m["foldScores"] = [primary(f) for f in per_fold]
    return m


# ---------------------------------------------------------------- the run


def compare(arms, source_names):
    """compareArms.ts without significance tests: gains over separate, the highest score, delta_m."""
    order = ["separate", "merged", "multihead"]
    by_arm = {a["arm"]: a for a in arms if not a.get("diverged")}

    def score(arm, s):
        m = by_arm.get(arm, {}).get("bySource", {}).get(s)
        return primary(m) if m else None

    by_source = {}
    rel = {"merged": [], "multihead": []}
    for s in source_names:
        values = {a: score(a, s) for a in order}
        sep = values["separate"]
        metric = "accuracy"
        for a in arms:
            m = a["bySource"].get(s)
            if m:
                metric = "r2" if m["task"] == "regression" else "accuracy"
                break
        if sep is not None and sep != 0:
            for a in ("merged", "multihead"):
                if values[a] is not None:
                    rel[a].append((values[a] - sep) / abs(sep))
        scored = [a for a in order if values[a] is not None]
        best = None
        for a in scored:
            if best is None or values[a] > values[best]:
                best = a
        by_source[s] = {
            "metric": metric,
            "separate": sep,
            "merged": values["merged"],
            "multihead": values["multihead"],
            "gain": {a: (values[a] - sep if values[a] is not None and sep is not None else None) for a in ("merged", "multihead")},
            "best": best,
        }

    def mean(v):
        return sum(v) / len(v) if len(v) == len(source_names) and v else None

    return {"bySource": by_source, "deltaM": {a: (mean(rel[a]) if a in by_arm else None) for a in ("merged", "multihead")}}


def pooled_metrics(parts, task, names):
    yt, yp = [], []
    for t, p in parts:
        yt += t
        yp += p
    return classification_metrics(yt, yp, names) if task == "classification" else regression_metrics(yt, yp)


def main():
    parser = argparse.ArgumentParser(description="Train the exported Dataset Lab experiment with PyTorch DDP (launch with torchrun).")
    parser.add_argument("--data", action="append", default=[], metavar="NAME=PATH", help="where dataset NAME is read from: a file or a glob of shards (read in name order); default: the path recorded at export")
    parser.add_argument("--run-dir", help="the run folder to write (default: .dataset-lab/runs/<run id> under the current folder)")
    parser.add_argument("--backend", choices=["auto", "gloo", "nccl"], default="auto", help="process-group backend (auto: nccl when CUDA is available, else gloo)")
    parser.add_argument("--arms", help="comma-separated arms to train (default: the experiment's)")
    parser.add_argument("--epochs", type=int, help="override training.epochs")
    parser.add_argument("--save-models", action="store_true", help="also save each model's state_dict under models/ (PyTorch files: dataset-lab predict does not read them); cross-validation: of the refit on every labelled row, trained after the folds")
    parser.add_argument("--read-all", action="store_true", help="every process reads every row (by default each reads only its share of each dataset's rows and gets the rest of its batches from the others); the results are the same")
    args = parser.parse_args()

    exp = read_json("export.json")
    split = read_json("split.json")
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))

    # Data first: bad input is reported before any process group or run folder exists. Each process
    # reads only its share of each dataset: data rows [N * rank / world, N * (rank + 1) / world).
    given = {}
    for d in args.data:
        if "=" not in d:
            raise ExportError("--data %s: use NAME=PATH (datasets: %s)" % (d, ", ".join(ds["name"] for ds in exp["datasets"])))
        k, v = d.split("=", 1)
        if k not in [ds["name"] for ds in exp["datasets"]]:
            raise ExportError("--data %s: no dataset is named %s (datasets: %s)" % (d, k, ", ".join(ds["name"] for ds in exp["datasets"])))
        given[k] = v
    arms = exp["arms"]
    if args.arms:
        arms = [a.strip() for a in args.arms.split(",") if a.strip()]
        unknown = [a for a in arms if a not in exp["arms"]]
        if unknown:
            raise ExportError("--arms: %s not exported (the export has %s)" % (", ".join(unknown), ", ".join(exp["arms"])))
    if args.epochs:
        exp["training"]["epochs"] = args.epochs
    # Cross-validation: the folds (folds.json) and each fold's models (export.json crossValidation).
    cv = exp.get("crossValidation")
    folds = read_json("folds.json") if cv is not None else None
    sources = {}
    loaded = {}
    reading = []
    for ds in exp["datasets"]:
        spec = given.get(ds["name"]) or os.path.normpath(os.path.join(HERE, ds["path"]))
        starts = rank_starts(ds["rows"], world)
        lo, hi = (0, ds["rows"]) if args.read_all else (int(starts[rank]), int(starts[rank + 1]))
        columns, labels, missing, where, scanned = load_dataset(ds, spec, lo, hi)
        loaded[ds["name"]] = {"ds": ds, "columns": columns, "labels": labels, "missing_label": missing, "where": where, "lo": lo, "hi": hi, "owned": (int(starts[rank]), int(starts[rank + 1]))}
        sources[ds["name"]] = Source(split=split, **loaded[ds["name"]])
        reading.append({"dataset": ds["name"], "rows": [lo, hi], "scanned": scanned})
    # The split's lists (about 36 bytes per row as Python objects) are not needed past here: each
    # source holds its rows as int64 arrays. Cross-validation builds each fold's split from them.
    if cv is None:
        del split

    import torch
    import torch.distributed as dist

    backend = args.backend
    if backend == "auto":
        backend = "nccl" if torch.cuda.is_available() else "gloo"
    if "RANK" in os.environ:
        dist.init_process_group(backend=backend)
        world, rank = dist.get_world_size(), dist.get_rank()
    # One thread per process unless OMP_NUM_THREADS says otherwise (torchrun sets 1): these small
    # networks lose more to threads contending for cores than they gain.
    torch.set_num_threads(max(1, int(os.environ.get("OMP_NUM_THREADS", "1"))))
    # nccl: each process trains on the GPU of its local rank; gloo: on the CPU.
    device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0"))) if backend == "nccl" else torch.device("cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    comm = Comm(torch, dist, world, rank, device)
    # The labels of every process's rows together against the export's counts (before any run folder).
    check_labels(comm, exp, sources)

    run_id = exp["runIdPrefix"] + datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")[:-3] + "-torch"
    if world > 1:
        holder = [run_id]
        dist.broadcast_object_list(holder, src=0)
        run_id = holder[0]
    run_dir = os.path.abspath(args.run_dir or os.path.join(".dataset-lab", "runs", run_id))
    if args.run_dir:
        run_id = os.path.basename(run_dir.rstrip(os.sep))
    started_at = now_iso()
    status_lock = threading.Lock()
    state = {"epochs": 0, "done": False}

    def write_status(value):
        with status_lock:
            write_json_atomic(os.path.join(run_dir, "status.json"), value)

    hist = None
    if rank == 0:
        if os.path.exists(os.path.join(run_dir, "results.json")) or os.path.exists(os.path.join(run_dir, "history.jsonl")):
            raise ExportError("%s already holds a run; give another --run-dir" % run_dir)
        os.makedirs(run_dir, exist_ok=True)
        if args.save_models:
            os.makedirs(os.path.join(run_dir, "models"), exist_ok=True)
        experiment = dict(exp["experiment"], arms=arms)
        experiment["training"] = dict(experiment["training"], epochs=exp["training"]["epochs"])
        write_json_atomic(os.path.join(run_dir, "experiment.json"), experiment)
        environment = {
                "backend": "pytorch-ddp",
                "processGroup": backend if world > 1 or "RANK" in os.environ else None,
                "worldSize": world,
                "torch": torch.__version__,
                "python": sys.version.split()[0],
                "platform": sys.platform,
                "trainer": "dataset-lab export torch (train.py)",
                "seed": exp["training"]["seed"],
                "splitSeed": exp["splitSeed"],
                "startedAt": started_at,
                "dataPerProcess": "all rows" if args.read_all or world == 1 else "its share of the rows",
        }
        write_json_atomic(os.path.join(run_dir, "environment.json"), environment)
        shutil.copyfile(os.path.join(HERE, "split.json"), os.path.join(run_dir, "split.json"))
        if cv is not None:
            shutil.copyfile(os.path.join(HERE, "folds.json"), os.path.join(run_dir, "folds.json"))
        hist = open(os.path.join(run_dir, "history.jsonl"), "a", encoding="utf-8")

        def beat():
            while not state["done"]:
                try:
                    write_status({"status": "running", "pid": os.getpid(), "host": socket.gethostname(), "startedAt": started_at, "heartbeatAt": now_iso(), "epochsDone": state["epochs"]})
                except OSError:
                    pass
                time.sleep(2)

        threading.Thread(target=beat, daemon=True).start()

    def history(record):
        state["epochs"] += 1
        hist.write(json.dumps(record, allow_nan=False) + "\n")
        hist.flush()

    ctx = {
        "world": world,
        "rank": rank,
        "training": exp["training"],
        "network": exp["network"],
        "l2": exp["network"]["l2"],
        "validation": exp["validation"],
        "allClasses": exp["allClasses"],
        "runDir": run_dir,
        # Cross-validation saves the refit's models, not the folds'.
        "save": args.save_models and cv is None,
        "device": device,
        "comm": comm,
        "readAll": args.read_all,
    }
    try:
        arm_results = []
        test_predictions = {}
        fold_predictions = []
        task = exp["datasets"][0]["task"]
        if cv is None:
            for arm in arms:
                r = train_arm(torch, dist, ctx, arm, exp["models"], sources, history)
                if r["diverged"]:
                    arm_results.append({"arm": arm, "model": "mlp", "bySource": {}, "pooled": None, "diverged": r["diverged"], "epochs": r["diverged"]["epoch"], "bestEpoch": 0, "seconds": r["seconds"]})
                    continue
                test_predictions[arm] = r["predictions"]
                arm_results.append({"arm": arm, "model": "mlp", "bySource": r["bySource"], "pooled": pooled_metrics(r["parts"], task, exp["allClasses"]), "epochs": r["epochs"], "bestEpoch": r["bestEpoch"], "seconds": r["seconds"]})
        else:
            # Every fold (repeat after repeat) of every arm in this one process group, as
            # 'dataset-lab run' trains them: each fold's models on its training rows, with the
            # preprocessing fitted on them, tested on its test rows. An arm that diverges in a fold
            # has no scores and trains no further folds.
            outcomes = {arm: [] for arm in arms}
            diverged, seconds = {}, {arm: 0.0 for arm in arms}
            for j in range(cv["jobs"]):
                ctx["fold"] = j + 1
                fold_split = fold_splits(split, folds, j)
                fold_sources = {name: Source(split=fold_split, **kw) for name, kw in loaded.items()}
                by_arm = {}
                for arm in [a for a in arms if a not in diverged]:
                    r = train_arm(torch, dist, ctx, arm, cv["foldModels"][j]["models"], fold_sources, history)
                    seconds[arm] += r["seconds"]
                    if r["diverged"]:
                        diverged[arm] = r
                        continue
                    outcomes[arm].append(r)
                    by_arm[arm] = r["predictions"]
                fold_predictions.append(by_arm)
                del fold_sources
            ctx["fold"] = None
            # The refit on every labelled row (split.json), whose models 'dataset-lab run' saves:
            # trained here only to be saved (--save-models).
            refit = {}
            if args.save_models:
                ctx["save"] = True
                for arm in [a for a in arms if a not in diverged]:
                    refit[arm] = train_arm(torch, dist, ctx, arm, exp["models"], sources, history)
                    seconds[arm] += refit[arm]["seconds"]
            for arm in arms:
                if arm in diverged:
                    d = diverged[arm]["diverged"]
                    arm_results.append({"arm": arm, "model": "mlp", "bySource": {}, "pooled": None, "diverged": d, "epochs": d["epoch"], "bestEpoch": 0, "seconds": seconds[arm]})
                    continue
                outs = outcomes[arm]
                # Epochs: of the saved refit, as in 'dataset-lab run'; without it, of the last fold.
                last = refit.get(arm) or outs[-1]
                by_source = {}
                for ds in exp["datasets"]:
                    name = ds["name"]
                    per_fold = [o["bySource"][name] for o in outs]
                    parts = [(o["predictions"][name]["yTrue"], o["predictions"][name]["yPred"]) for o in outs]
                    own = set(outs[0]["predictions"][name].get("ownClasses", [])) if ds["task"] == "classification" else None
                    fitted = last["bySource"].get(name) or outs[-1]["bySource"][name]
                    by_source[name] = dict(cv_source_result(ds["task"], per_fold, parts, exp["allClasses"], own), epochs=fitted["epochs"], bestEpoch=fitted["bestEpoch"])
                pooled_folds = [pooled_metrics(o["parts"], task, exp["allClasses"]) for o in outs]
                pooled = cv_source_result(task, pooled_folds, [p for o in outs for p in o["parts"]], exp["allClasses"], None)
                del pooled["foldScores"]
                arm_results.append({"arm": arm, "model": "mlp", "bySource": by_source, "pooled": pooled, "epochs": last["epochs"], "bestEpoch": last["bestEpoch"], "seconds": seconds[arm]})
        # What each process read and its peak memory (resident set, MB), in environment.json.
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        ranks = comm.gather({"rank": rank, "datasets": reading, "peakRssMB": round(peak, 1)})
        if rank == 0:
            hist.close()
            write_json_atomic(os.path.join(run_dir, "environment.json"), dict(environment, processes=ranks))
            results = {
                "runId": run_id,
                "experiment": exp["experiment"]["name"],
                "backend": "pytorch-ddp (%s, %d process%s)" % (backend, world, "" if world == 1 else "es"),
                "seed": exp["training"]["seed"],
                "splitSeed": exp["splitSeed"],
                "status": "completed",
                "arms": arm_results,
                "comparison": compare(arm_results, [ds["name"] for ds in exp["datasets"]]),
                "datasets": exp["datasetResults"],
                "features": exp["features"],
                "startedAt": started_at,
                "finishedAt": now_iso(),
            }
            # The test rows' predictions, from which Dataset Lab computes the intervals and paired
            # tests when it reads the run (src/training/export/torch/runEvidence.ts); before
            # results.json, which is written last.
            # Cross-validation: "folds" holds each fold's predictions (j = repeat x folds + fold).
            write_json_atomic(os.path.join(run_dir, "predictions.json"), {"format": "dataset-lab-test-predictions", "version": 1, "classes": exp["allClasses"], "arms": test_predictions, **({"folds": fold_predictions} if cv is not None else {})}, indent=None)
            write_json_atomic(os.path.join(run_dir, "results.json"), results)
            state["done"] = True
            write_status({"status": "completed", "epochsDone": state["epochs"], "at": results["finishedAt"]})
            print("wrote %s" % run_dir, flush=True)
            for a in arm_results:
                cells = ", ".join("%s %s %.4f" % (n, "accuracy" if m["task"] == "classification" else "r2", primary(m) or float("nan")) for n, m in a["bySource"].items())
                print("  %-9s %s" % (a["arm"], cells or "diverged: " + a["diverged"]["message"]), flush=True)
    except BaseException as e:
        state["done"] = True
        if rank == 0:
            try:
                write_status({"status": "failed", "reason": "cancelled" if isinstance(e, KeyboardInterrupt) else "train.py stopped", "message": str(e).splitlines()[0] if str(e) else type(e).__name__, "epochsDone": state["epochs"], "at": now_iso()})
            except OSError:
                pass
        raise
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


if __name__ == "__main__":
    try:
        main()
    except ExportError as e:
        if not e.collective or os.environ.get("RANK", "0") == "0":
            print("train.py: %s" % e, file=sys.stderr, flush=True)
        sys.exit(2)
`;
