#!/usr/bin/python3
"""Train package linenet's printed-line reader (see docs/linenet.md).

Reads the sets `go run ./linenet/cmd/linegen` writes (train.* and
prefixed.* to learn from, val.* for early stopping, the temperature and the threshold: the
same trained faces and training degradations, another seed), trains a
small fully convolutional network with a CTC output over columns, folds
the fitted temperature into its last layer and writes:

  OUT/linenet.onnx   input "line" (N,1,32,W) float, ink 1 paper 0, W a
                     multiple of 4; output "logits" (N,14,1,W/4): per
                     column, blank then 0-9 A D and ? (any other symbol),
                     calibrated
  OUT/linenet.json   what was measured on the validation set (linenet.Info)

The held-out faces and the evaluation profiles are never read here:
linenet's tests measure the model on them.

  /usr/bin/python3 linenet/train/train.py --data DIR --out linenet/model
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import torchtrain  # noqa: E402 (scripts/torchtrain.py)

CHARSET = "0123456789AD?"  # class i+1; class 0 is CTC's blank; ? is linenet.Other
HEIGHT = 32
STRIDE = 4  # input columns per output column


def load(data, name, limit=0):
    """The lines of data/name.{bin,jsonl}, at most limit of them (0: all).
    A set cut short (linegen stopped) ends at its last whole line."""
    raw = np.fromfile(f"{data}/{name}.bin", dtype=np.uint8)
    xs, meta = [], []
    for l in open(f"{data}/{name}.jsonl"):
        try:
            m = json.loads(l)
        except ValueError:
            break
        end = m["off"] + HEIGHT * m["w"]
        if end > len(raw) or (limit and len(meta) >= limit):
            break
        xs.append(raw[m["off"]:end].reshape(HEIGHT, m["w"]))
        meta.append(m)
    return xs, meta


def encode(text):
    return [CHARSET.index(c) + 1 for c in text]


class Net(nn.Module):
    """Four 3x3 convolutions (batch norm, ReLU), max pooling 2x2, 2x2, 2x1,
    2x1: 32 rows become 2, W columns W/4; a 2x3 convolution takes the last
    two rows into one, and a 1x1 convolution gives the 14 classes per
    column. Receptive field: 34 input columns (one or two characters)."""

    def __init__(self, c=(8, 16, 32, 48, 64)):
        super().__init__()
        c1, c2, c3, c4, c5 = c

        def block(i, o):
            return nn.Sequential(nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU())

        self.b1, self.b2, self.b3, self.b4 = block(1, c1), block(c1, c2), block(c2, c3), block(c3, c4)
        self.head = nn.Sequential(nn.Conv2d(c4, c5, (2, 3), padding=(0, 1), bias=False), nn.BatchNorm2d(c5), nn.ReLU())
        self.drop = nn.Dropout2d(0.1)
        self.out = nn.Conv2d(c5, len(CHARSET) + 1, 1)

    def forward(self, x):
        x = F.max_pool2d(self.b1(x), 2)
        x = F.max_pool2d(self.b2(x), 2)
        x = F.max_pool2d(self.b3(x), (2, 1))
        x = F.max_pool2d(self.b4(x), (2, 1))
        return self.out(self.drop(self.head(x)))  # (N, 14, 1, W/4)


def batches(xs, meta, bs, rng, shuffle, augment=False):
    """Batches of lines of similar width (sorted, then chunked), padded with
    paper on the right to a multiple of STRIDE (as the reader pads to its
    width buckets). Augmentation moves the line right by up to 8 px."""
    order = np.argsort([m["w"] for m in meta], kind="stable")
    chunks = [order[i:i + bs] for i in range(0, len(order), bs)]
    if shuffle:
        rng.shuffle(chunks)
    for idx in chunks:
        shifts = rng.integers(0, 9, len(idx)) if augment else np.zeros(len(idx), int)
        w = max(meta[i]["w"] + s for i, s in zip(idx, shifts))
        w = (w + STRIDE - 1) // STRIDE * STRIDE + (STRIDE if augment and rng.random() < 0.5 else 0)
        x = np.zeros((len(idx), 1, HEIGHT, w), np.float32)
        for j, (i, s) in enumerate(zip(idx, shifts)):
            x[j, 0, :, s:s + meta[i]["w"]] = xs[i] / 255.0
        labels = [encode(meta[i]["text"]) for i in idx]
        yield torch.from_numpy(x), labels, idx


def ctc(logits, labels):
    """Mean CTC loss per line of (N,14,1,T) logits."""
    lp = F.log_softmax(logits[:, :, 0, :], 1).permute(2, 0, 1)  # T,N,C
    T, N = lp.shape[0], lp.shape[1]
    targets = torch.tensor([c for l in labels for c in l], dtype=torch.long)
    lens = torch.tensor([len(l) for l in labels], dtype=torch.long)
    return F.ctc_loss(lp, targets, torch.full((N,), T, dtype=torch.long), lens,
                      blank=0, reduction="sum", zero_infinity=True) / N


def decode(probs):
    """Greedy CTC decoding of one line's (14, T) probabilities, as
    linenet.decode does in Go: the text, each character's confidence and
    the line's (see docs/linenet.md)."""
    best = probs.argmax(0)
    T = probs.shape[1]
    chars = []  # [class, conf, first column, last column]
    for t in range(T):
        k = int(best[t])
        if k == 0:
            continue
        if chars and t > 0 and int(best[t - 1]) == k:
            chars[-1][1] = max(chars[-1][1], float(probs[k, t]))
            chars[-1][3] = t
        else:
            chars.append([k, float(probs[k, t]), t, t])
    # Blank columns: the mass on the blank and the two neighbouring
    # characters is what the decoding can explain there; the rest is a
    # character that may have been missed. It lowers both neighbours.
    ci = 0
    gaps = 1.0
    for t in range(T):
        if int(best[t]) != 0:
            continue
        while ci < len(chars) and chars[ci][3] < t:
            ci += 1
        left = chars[ci - 1] if ci > 0 else None
        right = chars[ci] if ci < len(chars) else None
        g = float(probs[0, t])
        if left:
            g += float(probs[left[0], t])
        if right and (not left or right[0] != left[0]):
            g += float(probs[right[0], t])
        gaps = min(gaps, g)
        for c in (left, right):
            if c:
                c[1] = min(c[1], g)
    # A run of Other ("?", the last class) is one Other: neighbours merge.
    merged = []
    for c in chars:
        if merged and c[0] == len(CHARSET) and merged[-1][0] == c[0]:
            merged[-1][1] = min(merged[-1][1], c[1])
            merged[-1][3] = c[3]
        else:
            merged.append(c)
    chars = merged
    text = "".join(CHARSET[c[0] - 1] for c in chars)
    conf = min((c[1] for c in chars), default=gaps)
    return text, [c[1] for c in chars], conf


def nll(net_logits, meta, t):
    tot = 0.0
    for l, m in zip(net_logits, meta):
        lp = F.log_softmax(l / t, 0).T.unsqueeze(1)  # T,1,C
        y = torch.tensor(encode(m["text"]), dtype=torch.long)
        tot += float(F.ctc_loss(lp, y.unsqueeze(0), torch.tensor([lp.shape[0]]), torch.tensor([len(y)]),
                                blank=0, reduction="sum", zero_infinity=True))
    return tot / len(meta)


def logits_all(net, xs, meta, bs=64):
    """Each line's (14, T) logits, T its own output columns (the batch's
    padding cut off)."""
    net.eval()
    out = [None] * len(xs)
    rng = np.random.default_rng(0)
    with torch.no_grad():
        for x, labels, idx in batches(xs, meta, bs, rng, False):
            l = net(x)[:, :, 0, :]
            for j, i in enumerate(idx):
                T = (meta[i]["w"] + STRIDE - 1) // STRIDE
                out[i] = l[j, :, :T].clone()
    return out


def figures(decoded, meta, rate):
    n = len(meta)
    right = np.array([d[0] == m["text"] for d, m in zip(decoded, meta)])
    conf = np.array([d[2] for d in decoded])
    out = {"lines": n, "line_accuracy": float(right.mean())}
    for p in sorted(set(m["profile"] for m in meta)):
        sel = np.array([m["profile"] == p for m in meta])
        out[f"line_accuracy_{p}"] = float(right[sel].mean())
    # Character calibration, on lines read at their true length.
    cc, cr = [], []
    for d, m in zip(decoded, meta):
        if len(d[0]) == len(m["text"]):
            for a, b, c in zip(d[0], m["text"], d[1]):
                cc.append(c)
                cr.append(a == b)
    cc, cr = np.array(cc), np.array(cr)
    ece = 0.0
    edges = np.linspace(0, 1, 16)
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (cc > lo) & (cc <= hi)
        if sel.any():
            ece += sel.mean() * abs(cr[sel].mean() - cc[sel].mean())
    out["char_ece"] = float(ece)
    out["char_accuracy_same_length"] = float(cr.mean())
    # The threshold: the lowest line confidence whose accepted lines hold
    # at most rate wrong ones among all lines (highest confidences first).
    order = np.argsort(-conf, kind="stable")
    wrong_cum = np.cumsum(~right[order])
    ok = np.nonzero(wrong_cum <= rate * n)[0]
    k = int(ok[-1]) if len(ok) else 0
    thr = float(conf[order][k]) if len(ok) else 1.0
    # Move past ties: lines at exactly thr are accepted.
    acc = conf >= thr
    out["threshold_accepted"] = float(acc.mean())
    out["threshold_accepted_right"] = float((acc & right).sum() / max(1, right.sum()))
    out["threshold_wrong_accepted"] = int((acc & ~right).sum())
    out["wrong_lines"] = int((~right).sum())
    return thr, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--val", help="directory of val.{bin,jsonl} (default: --data)")
    ap.add_argument("--limit", type=int, default=0, help="use at most this many training lines")
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--patience", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--channels", default="8,16,32,48,64")
    ap.add_argument("--batch", type=int, default=48)
    ap.add_argument("--rate", type=float, default=0.0005,
                    help="wrong lines accepted at the threshold, as a fraction of the validation lines")
    ap.add_argument("--max-seconds", type=float, default=0,
                    help="stop training after this long (0: never; a stopped run is not reproducible)")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    xt, mt = load(args.data, "train", args.limit)
    if os.path.exists(f"{args.data}/prefixed.jsonl"):
        xp, mp = load(args.data, "prefixed")
        xt, mt = xt + xp, mt + mp
    xv, mv = load(args.val or args.data, "val")
    print(f"train {len(xt)}, validation {len(xv)}", flush=True)

    net = Net(tuple(int(v) for v in args.channels.split(",")))
    print(f"weights: {sum(p.numel() for p in net.parameters())}", flush=True)
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    steps = args.epochs * math.ceil(len(xt) / args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps, pct_start=0.15)
    stopping, epochs = torchtrain.EarlyStopping(args.patience), 0
    start = time.time()
    stop = False
    for epoch in range(args.epochs):
        net.train()
        tot, n = 0.0, 0
        for x, labels, _ in batches(xt, mt, args.batch, rng, True, augment=True):
            opt.zero_grad()
            loss = ctc(net(x), labels)
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 5)
            opt.step()
            sched.step()
            tot += float(loss) * len(labels)
            n += len(labels)
            if args.max_seconds and time.time() - start > args.max_seconds:
                stop = True
                break
        vl = logits_all(net, xv, mv)
        vloss = nll(vl, mv, 1.0)
        acc = np.mean([decode(F.softmax(l, 0).numpy())[0] == m["text"] for l, m in zip(vl, mv)])
        epochs = epoch + 1
        print(f"epoch {epochs}: train loss {tot / max(1, n):.4f}, validation loss {vloss:.4f}, "
              f"line accuracy {acc:.4f} ({time.time() - start:.0f} s)", flush=True)
        if stopping.stop(net, vloss):
            break
        if stop:
            print("stopped at --max-seconds", flush=True)
            break
    seconds = time.time() - start
    net.load_state_dict(stopping.best_state)
    net.eval()

    vl = logits_all(net, xv, mv)
    ts = [0.6 + 0.05 * i for i in range(40)]
    losses = [nll(vl, mv, t) for t in ts]
    t = ts[int(np.argmin(losses))]
    with torch.no_grad():
        net.out.weight /= t
        net.out.bias /= t
    decoded = [decode(F.softmax(l, 0).numpy()) for l in logits_all(net, xv, mv)]
    thr, val = figures(decoded, mv, args.rate)
    info = {
        "temperature": t,
        "threshold": thr,
        "threshold_error_rate": args.rate,
        "validation": val,
        "epochs": epochs,
        "seconds": round(seconds, 1),
        "lines": len(xt),
        "channels": args.channels,
    }
    print(json.dumps(info, indent=1), flush=True)

    torchtrain.export(net, torch.zeros(1, 1, HEIGHT, 128), f"{args.out}/linenet.onnx", "line",
                      {"line": {0: "n", 3: "w"}, "logits": {0: "n", 3: "t"}}, info, f"{args.out}/linenet.json")


if __name__ == "__main__":
    main()
