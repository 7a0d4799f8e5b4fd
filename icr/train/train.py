#!/usr/bin/python3
"""Train package icr's handwritten character model (see docs/handwriting.md).

Reads the idx files `go run ./icr/cmd/icrgen` writes (train-* to learn from,
heldout-* for early stopping, temperature scaling and the figures), trains a
small convolutional net (LeNet-5's shape, a little wider), one member of
the model's ensemble, folds the fitted temperature into its last layer and
writes:

  OUT/NAME.onnx  the network: input "glyphs" (N,1,28,28) float in [0,1],
                 white ink on black; output "logits" (N,12), calibrated
  INFO           what was measured of it alone on the held-out set
                 (icr.Member); icr/cmd/icrcal measures the ensemble and
                 writes the model's icr.json from the members' records

MNIST's t10k split is never read here: it is kept for acceptance.

  /usr/bin/python3 icr/train/train.py --data DIR --out icr/model --name net-a --info DIR/net-a.json
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import torchtrain  # noqa: E402 (scripts/torchtrain.py)

NUM_CLASSES = 12  # 0-9, D, Other (icr.Class)
THRESHOLDS = [0.5, 0.8, 0.9, 0.95, 0.99, 0.995, 0.999]
SOURCES = ["mnist", "mnist-aug", "pen-digit", "pen-D", "font-D", "pen-other", "font-other", "bad-cut"]  # handgen.Source


def read_idx(path):
    b = open(path, "rb").read()
    magic = int.from_bytes(b[0:4], "big")
    n = int.from_bytes(b[4:8], "big")
    if magic == 0x803:
        r, c = int.from_bytes(b[8:12], "big"), int.from_bytes(b[12:16], "big")
        return np.frombuffer(b, np.uint8, offset=16).reshape(n, 1, r, c)
    if magic == 0x801:
        return np.frombuffer(b, np.uint8, offset=8)
    raise ValueError(f"{path}: idx magic {magic:#x}")


def load(data, name):
    x = torch.from_numpy(read_idx(f"{data}/{name}-images.idx").astype(np.float32) / 255)
    y = torch.from_numpy(read_idx(f"{data}/{name}-labels.idx").astype(np.int64))
    s = read_idx(f"{data}/{name}-sources.idx")
    return x, y, s


class Net(nn.Module):
    """LeNet-5's shape: two 5x5 convolutions with max pooling, two fully
    connected layers (c1 and c2 channels, fc units)."""

    def __init__(self, c1=12, c2=24, fc=128):
        super().__init__()
        self.conv1 = nn.Conv2d(1, c1, 5)    # 28 -> 24, pool -> 12
        self.conv2 = nn.Conv2d(c1, c2, 5)   # 12 -> 8, pool -> 4
        self.fc1 = nn.Linear(c2 * 4 * 4, fc)
        self.drop = nn.Dropout(0.25)
        self.fc2 = nn.Linear(fc, NUM_CLASSES)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = self.drop(F.relu(self.fc1(x)))
        return self.fc2(x)


def shift(x, g):
    """Moves each batch image by up to one pixel (centring is by centre of
    mass, which a stray bit of ink moves)."""
    dx, dy = torch.randint(-1, 2, (2,), generator=g).tolist()
    return torch.roll(x, shifts=(dy, dx), dims=(2, 3))


def logits_of(net, x, bs=2048):
    net.eval()
    with torch.no_grad():
        return torch.cat([net(x[i:i + bs]) for i in range(0, len(x), bs)])


def fit_temperature(logits, y):
    log_t = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200)

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(logits / log_t.exp(), y)
        loss.backward()
        return loss

    opt.step(closure)
    return float(log_t.exp())


def figures(probs, y, sources):
    conf, pred = probs.max(1)
    right = pred == y
    out = {"accuracy": float(right.float().mean()), "n": int(len(y))}
    # Expected calibration error over 15 equal-width confidence bins.
    ece = 0.0
    edges = torch.linspace(0, 1, 16)
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            ece += float(m.float().mean()) * abs(float(right[m].float().mean()) - float(conf[m].mean()))
    out["ece"] = ece
    for t in THRESHOLDS:
        m = conf >= t
        out[f"coverage@{t}"] = float(m.float().mean())
        out[f"error@{t}"] = float((~right[m]).float().mean()) if m.any() else 0.0
        out[f"errors@{t}"] = int((~right[m]).sum())
    for c, name in [(10, "D"), (11, "other")]:
        m = y == c
        out[f"recall_{name}"] = float(right[m].float().mean())
        p = pred == c
        out[f"precision_{name}"] = float((y[p] == c).float().mean()) if p.any() else 0.0
    for i, name in enumerate(SOURCES):
        m = torch.from_numpy(sources == i)
        if m.any():
            out[f"accuracy_{name}"] = float(right[m].float().mean())
    return out


def threshold_for(probs, y, rate):
    """The lowest confidence whose accepted glyphs have an error rate of
    at most rate (on the held-out set)."""
    conf, pred = probs.max(1)
    wrong = (pred != y).float()
    order = torch.argsort(conf, descending=True)
    cum = torch.cumsum(wrong[order], 0) / torch.arange(1, len(y) + 1)
    ok = (cum <= rate).nonzero()
    if len(ok) == 0:
        return 1.0
    # the longest prefix (highest confidences first) within the rate
    k = int(ok[-1])
    return float(conf[order][k])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--patience", type=int, default=2)
    ap.add_argument("--epoch-size", type=int, default=70000,
                    help="examples drawn (without replacement) for each epoch")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--width", default="12,24,128",
                    help="channels of the two convolutions and units of the hidden layer")
    ap.add_argument("--name", default="icr", help="the network's file name in OUT, without .onnx")
    ap.add_argument("--info", required=True, help="where the member's record (icr.Member, JSON) goes")
    ap.add_argument("--data-flags", default="", help="the icrgen flags of --data, recorded")
    ap.add_argument("--rate", type=float, default=0.001,
                    help="held-out error rate the suggested threshold keeps to")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    g = torch.Generator().manual_seed(args.seed)
    xt, yt, _ = load(args.data, "train")
    xh, yh, sh = load(args.data, "heldout")
    print(f"train {len(yt)}, held out {len(yh)}", flush=True)

    net = Net(*[int(v) for v in args.width.split(",")])
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    stopping, epochs = torchtrain.EarlyStopping(args.patience), 0
    start = time.time()
    for epoch in range(args.epochs):
        net.train()
        perm = torch.randperm(len(yt), generator=g)[:args.epoch_size]
        tot = 0.0
        for i in range(0, len(perm), 128):
            idx = perm[i:i + 128]
            opt.zero_grad()
            loss = F.cross_entropy(net(shift(xt[idx], g)), yt[idx])
            loss.backward()
            opt.step()
            tot += float(loss) * len(idx)
        sched.step()
        lh = logits_of(net, xh)
        vloss = float(F.cross_entropy(lh, yh))
        acc = float((lh.argmax(1) == yh).float().mean())
        epochs = epoch + 1
        print(f"epoch {epochs}: train loss {tot / len(perm):.4f}, held-out loss {vloss:.4f}, "
              f"accuracy {acc:.4f} ({time.time() - start:.0f} s)", flush=True)
        if stopping.stop(net, vloss):
            break
    seconds = time.time() - start
    net.load_state_dict(stopping.best_state)

    lh = logits_of(net, xh)
    t = fit_temperature(lh, yh)
    with torch.no_grad():
        net.fc2.weight /= t
        net.fc2.bias /= t
    probs = F.softmax(logits_of(net, xh), 1)
    held = figures(probs, yh, sh)
    thr = threshold_for(probs, yh, args.rate)
    info = {
        "file": f"{args.name}.onnx",
        "width": args.width,
        "seed": args.seed,
        "data": args.data_flags,
        "temperature": t,
        "threshold": thr,
        "held_out": held,
        "epochs": epochs,
        "seconds": round(seconds, 1),
        "examples": int(len(yt)),
    }
    print(json.dumps(info, indent=1), flush=True)

    torchtrain.export(net, torch.zeros(1, 1, 28, 28), f"{args.out}/{args.name}.onnx", "glyphs",
                      {"glyphs": {0: "n"}, "logits": {0: "n"}}, info, args.info)


if __name__ == "__main__":
    main()
