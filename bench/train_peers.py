#!/usr/bin/python3
"""Peer models for a finished Dataset Lab run: trains the same models with scikit-learn and
PyTorch (Debian python3-sklearn, python3-torch) on the identical split the run exported
(split.json), with the same preprocessing fitted on the training rows, and prints the test
scores per arm and dataset as JSON.

Usage: /usr/bin/python3 bench/train_peers.py RUN_DIR [--seeds N]
(torch seeds: the run's training seed, +1, ... for N seeds)
Used by bench/train_agreement.mjs; not by the unit tests.
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import torch
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, RobustScaler, StandardScaler

torch.set_num_threads(1)
MISSING = ["", "NA", "N/A", "NaN", "null", "?"]


def load(run_dir):
    with open(os.path.join(run_dir, "experiment.json")) as fh:
        exp = json.load(fh)
    with open(os.path.join(run_dir, "split.json")) as fh:
        split = json.load(fh)
    with open(os.path.join(run_dir, "results.json")) as fh:
        exp["features"] = json.load(fh)["features"]
    tables = {d["name"]: pd.read_csv(d["absPath"], keep_default_na=False, na_values=MISSING) for d in exp["datasets"]}
    return exp, split, tables


def preprocessor(exp, frames):
    pre = exp["preprocessing"]
    feats = exp.get("features")
    numeric = [f for f in feats if pd.api.types.is_numeric_dtype(frames[0][f])]
    categorical = [f for f in feats if f not in numeric]
    imp = {"mean": SimpleImputer(strategy="mean"), "median": SimpleImputer(strategy="median"),
           "zero": SimpleImputer(strategy="constant", fill_value=0)}[pre["numericImpute"]]
    scaler = {"standard": StandardScaler(), "minmax": MinMaxScaler(), "robust": RobustScaler(), "none": "passthrough"}[pre["scaling"]]
    cat_imp = SimpleImputer(strategy="most_frequent") if pre["categoricalImpute"] == "most_frequent" else SimpleImputer(strategy="constant", fill_value="(missing)")
    parts = []
    if numeric:
        parts.append(("num", Pipeline([("imp", imp), ("scale", scaler)]), numeric))
    if categorical:
        parts.append(("cat", Pipeline([("imp", cat_imp), ("oh", OneHotEncoder(handle_unknown="ignore", max_categories=pre["maxCategories"], sparse_output=False))]), categorical))
    return ColumnTransformer(parts), feats


class Net(torch.nn.Module):
    def __init__(self, d, hidden, head_hidden, units, activation):
        super().__init__()
        act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid, "elu": torch.nn.ELU}[activation]
        layers, w = [], d
        for h in hidden:
            layers += [torch.nn.Linear(w, h), act()]
            w = h
        self.trunk = torch.nn.Sequential(*layers)
        self.heads = torch.nn.ModuleList()
        for u in units:
            hl, hw = [], w
            for h in head_hidden:
                hl += [torch.nn.Linear(hw, h), act()]
                hw = h
            hl.append(torch.nn.Linear(hw, u))
            self.heads.append(torch.nn.Sequential(*hl))

    def forward(self, x):
        z = self.trunk(x)
        return [h(z) for h in self.heads]


def train_mlp(exp, arm, heads, Xtr, Ytr, Mtr, Xva, Yva, Mva, seed):
    """heads: list of (task, units). Y*: per head label arrays; M*: per head weight arrays (0 = masked)."""
    torch.manual_seed(seed)
    model, tr = exp["model"], exp["training"]
    net = Net(Xtr.shape[1], model["hidden"], model["headHidden"], [u for _, u in heads], model["activation"])
    if os.environ.get("PEER_INIT") == "glorot":
        # Our initialisation (Glorot-uniform weights, zero biases) instead of PyTorch's default.
        for mod in net.modules():
            if isinstance(mod, torch.nn.Linear):
                torch.nn.init.xavier_uniform_(mod.weight)
                torch.nn.init.zeros_(mod.bias)
    decay = [p for n, p in net.named_parameters() if n.endswith("weight")]
    rest = [p for n, p in net.named_parameters() if not n.endswith("weight")]
    groups = [{"params": decay, "weight_decay": model["l2"]}, {"params": rest, "weight_decay": 0.0}]
    opt = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop}[tr["optimizer"]](groups, lr=tr["learningRate"])
    static = [exp["multihead"]["weights"].get(n, 1.0) if arm == "multihead" else 1.0 for n in [h for h in heads_names(exp, arm, len(heads))]]
    Xt = torch.tensor(Xtr, dtype=torch.float32)
    Yt = [torch.tensor(y) for y in Ytr]
    Mt = [torch.tensor(m, dtype=torch.float32) for m in Mtr]

    def losses(outs, Y, M):
        res = []
        for h, (task, _) in enumerate(heads):
            w = M[h]
            sw = w.sum()
            if sw <= 0:
                res.append(None)
                continue
            if task == "classification":
                row = torch.nn.functional.cross_entropy(outs[h], Y[h].long(), reduction="none")
            else:
                row = ((outs[h][:, 0] - Y[h].float()) ** 2)
            res.append((row * w).sum() / sw)
        return res

    best, best_state, since = float("inf"), None, 0
    n = Xt.shape[0]
    g = torch.Generator().manual_seed(seed)
    for epoch in range(tr["epochs"]):
        net.train()
        perm = torch.randperm(n, generator=g)
        for s in range(0, n, tr["batchSize"]):
            idx = perm[s:s + tr["batchSize"]]
            outs = net(Xt[idx])
            ls = losses(outs, [y[idx] for y in Yt], [m[idx] for m in Mt])
            total = sum(static[h] * l for h, l in enumerate(ls) if l is not None)
            opt.zero_grad()
            total.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            if Xva is not None:
                ls = losses(net(torch.tensor(Xva, dtype=torch.float32)), [torch.tensor(y) for y in Yva], [torch.tensor(m, dtype=torch.float32) for m in Mva])
            else:
                ls = losses(net(Xt), Yt, Mt)
            v = sum(static[h] * l.item() for h, l in enumerate(ls) if l is not None)
        if v < best - 1e-7:
            best, since = v, 0
            best_state = {k: t.clone() for k, t in net.state_dict().items()}
        else:
            since += 1
            if since >= tr["earlyStopping"]["patience"]:
                break
    if best_state is not None and tr["earlyStopping"]["restoreBestWeights"]:
        net.load_state_dict(best_state)
    net.eval()
    return net


def heads_names(exp, arm, count):
    if arm == "multihead":
        return [d["name"] for d in exp["datasets"]]
    return ["label"] * count


def run_arm(exp, split, tables, arm, seed):
    names = [d["name"] for d in exp["datasets"]]
    label = {d["name"]: d["label"] for d in exp["datasets"]}
    task = {d["name"]: d["task"] for d in exp["datasets"]}
    groups = [[n] for n in names] if arm == "separate" else [names]
    scores = {}
    for group in groups:
        part = lambda n, which: tables[n].iloc[split[n][which]]
        train_frames = [part(n, "train") for n in group]
        pre, feats = preprocessor(exp, train_frames)
        pre.fit(pd.concat(train_frames)[feats])
        X = {}
        for n in group:
            for w in ("train", "validation", "test"):
                frame = part(n, w)[feats]
                X[(n, w)] = pre.transform(frame if len(frame) else part(n, "train")[feats].iloc[:1])[: len(frame)].astype(np.float32)
        t = task[group[0]]
        # Heads and their label spaces.
        if arm == "multihead":
            head_of = {n: i for i, n in enumerate(group)}
            head_sources = [[n] for n in group]
        else:
            head_of = {n: 0 for n in group}
            head_sources = [group]
        classes = []
        for srcs in head_sources:
            if t == "classification":
                vals = sorted(set(str(v) for n in srcs for v in part(n, "train")[label[n]].tolist() + part(n, "validation")[label[n]].tolist() + part(n, "test")[label[n]].tolist()))
                classes.append(vals)
            else:
                classes.append(None)

        def labels_of(n, w):
            y = part(n, w)[label[n]]
            h = head_of[n]
            if t == "classification":
                idx = {c: i for i, c in enumerate(classes[h])}
                return np.array([idx[str(v)] for v in y.tolist()], dtype=np.int64)
            return y.to_numpy(dtype=np.float64)

        sizes = {n: len(split[n]["train"]) for n in group}
        total = sum(sizes.values())
        inverse = arm == "merged" and exp["merged"]["balancing"] == "inverse_size"
        sw = {n: (total / (len(group) * sizes[n]) if inverse else 1.0) for n in group}

        def stack(w, weights):
            Xs = np.concatenate([X[(n, w)] for n in group]) if group else None
            H = len(head_sources)
            Ys, Ms, slots = [], [], []
            for h in range(H):
                ys, ms = [], []
                for n in group:
                    k = len(split[n][w])
                    lab = labels_of(n, w) if head_of[n] == h else np.zeros(k, dtype=np.int64 if t == "classification" else np.float64)
                    ys.append(lab)
                    ms.append(np.full(k, weights[n] if head_of[n] == h else 0.0))
                Ys.append(np.concatenate(ys))
                Ms.append(np.concatenate(ms))
            for n in group:
                slots += [n] * len(split[n][w])
            return Xs, Ys, Ms, np.array(slots)

        Xtr, Ytr, Mtr, _ = stack("train", sw)
        has_val = exp["split"]["validation"] > 0
        Xva, Yva, Mva, _ = stack("validation", {n: 1.0 for n in group}) if has_val else (None, None, None, None)
        Xte, Yte, _, slot_te = stack("test", {n: 1.0 for n in group})

        if exp["model"]["type"] == "linear":
            y, m = Ytr[0], Mtr[0]
            l2 = exp["model"]["l2"]
            if t == "regression":
                est = LinearRegression() if l2 == 0 else Ridge(alpha=l2 * m.sum())
                est.fit(Xtr, y, sample_weight=m)
                pred = est.predict(Xte)
            else:
                est = LogisticRegression(C=1.0 / (m.sum() * l2) if l2 > 0 else 1e12, max_iter=5000, tol=1e-8)
                est.fit(Xtr, y, sample_weight=m)
                pred = est.classes_[np.argmax(est.predict_proba(Xte), axis=1)]
            preds = [pred]
        else:
            scale = []
            for h in range(len(head_sources)):
                if t == "regression":
                    sel = Mtr[h] > 0
                    mu, sd = Ytr[h][sel].mean(), Ytr[h][sel].std() or 1.0
                    scale.append((mu, sd))
                else:
                    scale.append(None)
            sc = lambda Ys: [((y - s[0]) / s[1]).astype(np.float32) if s else y for y, s in zip(Ys, scale)]
            heads = [(t, len(classes[h]) if t == "classification" else 1) for h in range(len(head_sources))]
            net = train_mlp(exp, arm, heads, Xtr, sc(Ytr), Mtr, Xva, sc(Yva) if has_val else None, Mva, seed)
            with torch.no_grad():
                outs = net(torch.tensor(Xte, dtype=torch.float32))
            preds = []
            for h, o in enumerate(outs):
                o = o.numpy()
                preds.append(np.argmax(o, axis=1) if t == "classification" else o[:, 0] * scale[h][1] + scale[h][0])
        for n in group:
            sel = slot_te == n
            h = head_of[n]
            yt = Yte[h][sel]
            yp = preds[h][sel]
            if t == "classification":
                scores[n] = {"metric": "accuracy", "value": float(accuracy_score(yt, yp))}
            else:
                scores[n] = {"metric": "r2", "value": float(r2_score(yt, yp))}
    return scores


def main():
    run_dir = sys.argv[1]
    seeds = int(sys.argv[sys.argv.index("--seeds") + 1]) if "--seeds" in sys.argv else 1
    exp, split, tables = load(run_dir)
    out = {"torch": torch.__version__, "seeds": seeds, "arms": {}}
    for arm in exp["arms"]:
        runs = [run_arm(exp, split, tables, arm, exp["training"]["seed"] + k) for k in range(seeds)]
        out["arms"][arm] = {n: {"metric": runs[0][n]["metric"], "value": float(np.mean([r[n]["value"] for r in runs])),
                                "values": [r[n]["value"] for r in runs]} for n in runs[0]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
