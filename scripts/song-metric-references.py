#!/usr/bin/env python3
"""Reference values for src-main/core/recommend/song-metrics.test.ts (numpy + scipy, independent code).

Writes src-main/core/recommend/references/song-metrics.json: Gaussians of seeded random frames (with the
same relative ridge as song-metrics.ts), their KL / symmetric KL / Musly Jensen-Shannon divergences,
mutual proximity and CSLS over a small distance matrix, and the MFCC fluctuation pattern via numpy's FFT.
"""
import json
import os

import numpy as np
from scipy.stats import norm

RIDGE = 1e-4
rng = np.random.default_rng(17)


def gaussian(frames):
    mean = frames.mean(axis=0)
    cov = np.cov(frames, rowvar=False, bias=True)
    cov = cov + np.eye(cov.shape[0]) * max(1e-9, RIDGE * np.trace(cov) / cov.shape[0])
    return mean, cov


def kl(p, q):
    (mp, cp), (mq, cq) = p, q
    d = len(mp)
    iq = np.linalg.inv(cq)
    diff = mq - mp
    return 0.5 * (np.trace(iq @ cp) + diff @ iq @ diff - d + np.linalg.slogdet(cq)[1] - np.linalg.slogdet(cp)[1])


def js(p, q):
    (mp, cp), (mq, cq) = p, q
    diff = mp - mq
    cm = 0.5 * (cp + cq) + 0.25 * np.outer(diff, diff)
    return 0.5 * np.linalg.slogdet(cm)[1] - 0.25 * (np.linalg.slogdet(cp)[1] + np.linalg.slogdet(cq)[1])


def fluctuation(frames, frame_rate, bands, w=64):
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(w) / w)
    n, dim = frames.shape
    starts = range(0, n - w + 1, w // 2)
    power = np.zeros((dim, w // 2))
    for s in starts:
        x = frames[s : s + w] - frames[s : s + w].mean(axis=0)
        spec = np.abs(np.fft.fft(x * hann[:, None], axis=0))[1 : w // 2 + 1]
        power += spec.T
    power /= max(1, len(starts))
    hz = np.arange(1, w // 2 + 1) * frame_rate / w
    out = []
    for c in range(dim):
        for lo, hi in bands:
            sel = (hz >= lo) & (hz < hi)
            out.append(np.log1p(power[c, sel].mean() if sel.any() else 0.0))
    return out


songs = []
for dim, frames in [(3, 40), (18, 60)]:
    for _ in range(3):
        mix = rng.normal(size=(dim, dim)) * 0.5 + np.eye(dim)
        f = rng.normal(size=(frames, dim)) @ mix + rng.normal(size=dim) * 2
        songs.append((dim, f.astype(np.float32).astype(np.float64)))

gaussians = []
for dim, f in songs:
    m, c = gaussian(f)
    gaussians.append({"dim": dim, "frames": f.ravel().tolist(), "mean": m.tolist(), "logDet": float(np.linalg.slogdet(c)[1])})
pairs = []
for a in range(len(songs)):
    for b in range(len(songs)):
        if a == b or songs[a][0] != songs[b][0]:
            continue
        p, q = gaussian(songs[a][1]), gaussian(songs[b][1])
        pairs.append({"a": a, "b": b, "kl": kl(p, q), "skl": kl(p, q) + kl(q, p), "js": js(p, q)})

# A small distance matrix: mutual proximity (Gaussian) and CSLS (k = 2).
m = rng.uniform(1, 5, size=(6, 6))
m = (m + m.T) / 2
np.fill_diagonal(m, 0)
n = len(m)
off = ~np.eye(n, dtype=bool)
mu = np.array([m[i, off[i]].mean() for i in range(n)])
sd = np.array([m[i, off[i]].std() for i in range(n)])
mp = np.zeros_like(m)
csls = np.zeros_like(m)
k = 2
r = np.array([np.sort(m[i, off[i]])[:k].mean() for i in range(n)])
for i in range(n):
    for j in range(n):
        if i == j:
            continue
        pa, pb = norm.cdf((m[i, j] - mu[i]) / sd[i]), norm.cdf((m[i, j] - mu[j]) / sd[j])
        mp[i, j] = pa + pb - pa * pb
        csls[i, j] = 2 * m[i, j] - r[i] - r[j]

bands = [[0.2, 0.6], [0.6, 1.2], [1.2, 2], [2, 3], [3, 4.5], [4.5, 7]]
t = np.arange(420) / 14.0
fl_frames = np.stack([np.sin(2 * np.pi * 2.5 * t) + 0.1 * rng.normal(size=420), np.cos(2 * np.pi * 0.8 * t), rng.normal(size=420)], axis=1).astype(np.float32)
fluct = fluctuation(fl_frames.astype(np.float64), 22050 / 1575, bands)

out = {
    "ridge": RIDGE,
    "songs": gaussians,
    "pairs": pairs,
    "matrix": m.ravel().tolist(),
    "mutualProximity": mp.ravel().tolist(),
    "cslsK": k,
    "csls": csls.ravel().tolist(),
    "normalCdf": [[z, float(norm.cdf(z))] for z in [-8.0, -5.0, -2.0, -0.5, 0.0, 0.7, 3.0]],
    "fluctuation": {"frames": fl_frames.ravel().tolist(), "dim": 3, "frameRate": 22050 / 1575, "values": fluct},
}
path = os.path.join(os.path.dirname(__file__), "..", "src-main", "core", "recommend", "references", "song-metrics.json")
with open(path, "w") as fh:
    json.dump(out, fh)
print("wrote", path)
