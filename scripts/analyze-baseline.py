#!/usr/bin/env python3
"""Baseline for `npm run bench:analyze`: what a user would pick instead of Cadenza's pipeline.

For each clip, the ffmpeg CLI decodes 30 s from the given start to mono 22,050 Hz float32 (its own
resampler), and torchaudio computes the same MFCC (docs/features.md: Hann 2048, hop 1575, 128 Slaney
mels, 10·log10 floored at 1e-10, top_db 80, orthonormal DCT, 18 coefficients). A process pool of the
given size runs the clips. Input: a JSON file [{"path": ..., "start": seconds}, ...]. Output: JSON.
Run with Debian's python3 (python3-torchaudio): /usr/bin/python3 scripts/analyze-baseline.py LIST.json 2
"""
import json
import subprocess
import sys
import time
from multiprocessing import Pool

import numpy as np
import torch
import torchaudio.functional as F
import torchaudio.transforms as T

SR, N_FFT, HOP, N_MELS, N_MFCC, N_FRAMES, CLIP = 22050, 2048, 1575, 128, 18, 420, 661500

torch.set_num_threads(1)
_spec = T.Spectrogram(n_fft=N_FFT, hop_length=HOP, power=2.0, center=True, pad_mode="reflect")
_mel = T.MelScale(n_mels=N_MELS, sample_rate=SR, f_min=0.0, f_max=SR / 2, n_stft=N_FFT // 2 + 1, norm="slaney", mel_scale="slaney")
_dct = F.create_dct(N_MFCC, N_MELS, norm="ortho")


def one(item):
    t0 = time.perf_counter()
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", str(item["start"]), "-t", "30", "-i", item["path"], "-ac", "1", "-ar", str(SR), "-f", "f32le", "-"],
        check=True, capture_output=True,
    ).stdout
    t1 = time.perf_counter()
    x = torch.from_numpy(np.frombuffer(raw, dtype=np.float32).copy())
    if x.numel() < CLIP:
        x = torch.nn.functional.pad(x, (0, CLIP - x.numel()))
    spec = _spec(x[:CLIP])[:, :N_FRAMES]
    db = F.amplitude_to_DB(_mel(spec), multiplier=10.0, amin=1e-10, db_multiplier=0.0, top_db=80.0)
    mfcc = db.transpose(0, 1) @ _dct
    assert mfcc.shape == (N_FRAMES, N_MFCC)
    t2 = time.perf_counter()
    return (t1 - t0) * 1000, (t2 - t1) * 1000


def main():
    items = json.load(open(sys.argv[1]))
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    start = time.perf_counter()
    with Pool(workers) as pool:
        times = pool.map(one, items, chunksize=4)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "songs": len(items),
        "seconds": seconds,
        "songsPerSecond": len(items) / seconds,
        "decodeMs": sum(t[0] for t in times) / len(times),
        "mfccMs": sum(t[1] for t in times) / len(times),
    }))


if __name__ == "__main__":
    main()
