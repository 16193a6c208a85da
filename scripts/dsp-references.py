#!/usr/bin/python3
"""Regenerates the DSP reference values with an independent implementation (torchaudio).

Run with Debian's Python (python3-torchaudio):  /usr/bin/python3 scripts/dsp-references.py

Writes src-main/core/analysis/dsp/references/{mfcc,resample}.json. The fixture signals are
generated from the formulas below; src-main/core/analysis/dsp/test-signals.ts implements the
same formulas (same float64 arithmetic, rounded to float32), so no audio files are committed.
The definition of the features is docs/features.md.
"""
import json
import math
import os

import numpy as np
import torch
import torchaudio
import torchaudio.functional as F
import torchaudio.transforms as T

torch.set_default_dtype(torch.float64)  # filterbank, window and DCT in float64

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "src-main", "core", "analysis", "dsp", "references")

# --- feature parameters (docs/features.md) ---
SAMPLE_RATE = 22050
CLIP_SAMPLES = 30 * SAMPLE_RATE
N_FFT = 2048
HOP = 1575
N_MELS = 128
N_MFCC = 18
N_FRAMES = 420
TOP_DB = 80.0
AMIN = 1e-10
PAD_MODE = "reflect"

# --- resampler parameters (src-main/core/analysis/dsp/resample.ts) ---
ZERO_CROSSINGS = 32
ROLLOFF = 0.91
BETA = 9.0


# --- fixture signals (mirrored in test-signals.ts) ---
def xorshift_uniform(n, seed):
    """xorshift32 (13, 17, 5); value = state / 2**32 - 0.5 in [-0.5, 0.5)."""
    out = np.empty(n, dtype=np.float64)
    s = seed & 0xFFFFFFFF
    for i in range(n):
        s ^= (s << 13) & 0xFFFFFFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFFFFFF
        out[i] = s / 4294967296.0 - 0.5
    return out


def f32(x):
    return np.asarray(x, dtype=np.float64).astype(np.float32)


def chirp(n, rate):
    # linear chirp 50 Hz -> 10 kHz over 30 s, amplitude 0.5
    t = np.arange(n, dtype=np.float64) / rate
    f0, f1, dur = 50.0, 10000.0, 30.0
    return f32(0.5 * np.sin(2 * math.pi * (f0 * t + (f1 - f0) * t * t / (2 * dur))))


def two_tone(n, rate):
    i = np.arange(n, dtype=np.float64)
    return f32(0.4 * np.sin(2 * math.pi * 440.0 * i / rate) + 0.3 * np.sin(2 * math.pi * 3520.5 * i / rate))


def noise(n, seed):
    return f32(xorshift_uniform(n, seed))


def clicks(n, period):
    x = np.zeros(n, dtype=np.float64)
    x[::period] = 0.9
    return f32(x)


def resample_mix(n, rate):
    # tones spread over the passband plus broadband noise (exercises the stopband too)
    i = np.arange(n, dtype=np.float64)
    tones = (0.3 * np.sin(2 * math.pi * 997.0 * i / rate)
             + 0.2 * np.sin(2 * math.pi * 5001.0 * i / rate)
             + 0.1 * np.sin(2 * math.pi * 8999.0 * i / rate))
    return f32(tones + 0.2 * xorshift_uniform(n, 12345))


MFCC_SIGNALS = {
    "chirp": lambda: chirp(CLIP_SAMPLES, SAMPLE_RATE),
    "two-tone": lambda: two_tone(CLIP_SAMPLES, SAMPLE_RATE),
    "noise": lambda: noise(CLIP_SAMPLES, 20240601),
    "clicks": lambda: clicks(CLIP_SAMPLES, 11025),
    # 0.5 s of the two-tone mix: zero-padded to 30 s by the pipeline
    "short-two-tone": lambda: two_tone(SAMPLE_RATE // 2, SAMPLE_RATE),
}


def reference_mfcc(x32):
    x = torch.from_numpy(np.asarray(x32, dtype=np.float32).astype(np.float64))
    if x.numel() < CLIP_SAMPLES:
        x = torch.nn.functional.pad(x, (0, CLIP_SAMPLES - x.numel()))
    x = x[:CLIP_SAMPLES]
    spec = T.Spectrogram(
        n_fft=N_FFT, win_length=N_FFT, hop_length=HOP, window_fn=torch.hann_window,
        power=2.0, normalized=False, center=True, pad_mode=PAD_MODE, onesided=True,
    )(x)  # (1025, 421), periodic Hann
    spec = spec[:, :N_FRAMES]
    mel = T.MelScale(
        n_mels=N_MELS, sample_rate=SAMPLE_RATE, f_min=0.0, f_max=SAMPLE_RATE / 2,
        n_stft=N_FFT // 2 + 1, norm="slaney", mel_scale="slaney",
    )(spec)  # (128, 420)
    db = F.amplitude_to_DB(mel, multiplier=10.0, amin=AMIN, db_multiplier=0.0, top_db=TOP_DB)
    dct = F.create_dct(N_MFCC, N_MELS, norm="ortho")  # (128, 18)
    return (db.transpose(0, 1) @ dct).numpy()  # (420, 18)


RESAMPLE_FROM = [44100, 48000, 32000, 24000, 16000, 11025]
RESAMPLE_SECONDS = 0.5


def resample_indices(n):
    idx = set(range(min(n, 160)))
    idx.update(range(0, n, 11))
    idx.update(range(max(0, n - 160), n))
    return sorted(idx)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    mfcc_out = {
        "generator": "scripts/dsp-references.py",
        "torch": torch.__version__,
        "torchaudio": torchaudio.__version__,
        "params": {
            "sample_rate": SAMPLE_RATE, "clip_samples": CLIP_SAMPLES, "n_fft": N_FFT, "hop": HOP,
            "window": "hann-periodic", "center": True, "pad_mode": PAD_MODE, "power": 2.0,
            "n_mels": N_MELS, "mel": "slaney/slaney", "amin": AMIN, "top_db": TOP_DB,
            "dct": "II-ortho", "n_mfcc": N_MFCC, "n_frames": N_FRAMES,
        },
        "rounding": "4 decimals",
        "signals": {},
    }
    for name, gen in MFCC_SIGNALS.items():
        m = reference_mfcc(gen())
        mfcc_out["signals"][name] = [round(float(v), 4) for v in m.reshape(-1)]
    with open(os.path.join(OUT_DIR, "mfcc.json"), "w") as fh:
        json.dump(mfcc_out, fh, separators=(",", ":"))

    res_out = {
        "generator": "scripts/dsp-references.py",
        "torch": torch.__version__,
        "torchaudio": torchaudio.__version__,
        "params": {"lowpass_filter_width": ZERO_CROSSINGS, "rolloff": ROLLOFF, "beta": BETA,
                   "resampling_method": "kaiser_window", "seconds": RESAMPLE_SECONDS},
        "rounding": "7 decimals",
        "cases": [],
    }
    for rate in RESAMPLE_FROM:
        n = int(rate * RESAMPLE_SECONDS)
        x = torch.from_numpy(resample_mix(n, rate).astype(np.float64))
        y = F.resample(x, rate, SAMPLE_RATE, lowpass_filter_width=ZERO_CROSSINGS, rolloff=ROLLOFF,
                       resampling_method="kaiser_window", beta=BETA).numpy()
        idx = resample_indices(len(y))
        res_out["cases"].append({
            "from": rate, "to": SAMPLE_RATE, "inputLength": n, "outputLength": int(len(y)),
            "index": idx, "value": [round(float(y[i]), 7) for i in idx],
        })
    with open(os.path.join(OUT_DIR, "resample.json"), "w") as fh:
        json.dump(res_out, fh, separators=(",", ":"))
    print("wrote", OUT_DIR)


if __name__ == "__main__":
    main()
