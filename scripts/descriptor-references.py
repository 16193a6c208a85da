#!/usr/bin/python3
"""Reference values for the richer audio descriptors (docs/features.md, "Descriptors").

Run with Debian's Python (python3-torchaudio):  /usr/bin/python3 scripts/descriptor-references.py

An independent implementation: spectra, mel, dB, centroid and deltas from torch/torchaudio
(float64); everything else written here in numpy directly from the definitions (librosa's
formulas, without importing librosa or sharing code with the TypeScript). The fixture signals
are the ones of scripts/dsp-references.py (imported from it), mirrored in test-signals.ts.
Writes src-main/core/analysis/dsp/references/descriptors.json.
"""
import importlib.util
import json
import math
import os

import numpy as np
import torch
import torchaudio
import torchaudio.functional as F
import torchaudio.transforms as T

torch.set_default_dtype(torch.float64)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src-main", "core", "analysis", "dsp", "references", "descriptors.json")

_spec = importlib.util.spec_from_file_location("dsp_references", os.path.join(ROOT, "scripts", "dsp-references.py"))
dspref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dspref)

SR = 22050
CLIP = 30 * SR
N_FFT = 2048
HOP = 1575
N_FRAMES = 420
N_MELS = 128
N_MFCC = 18
AMIN = 1e-10
TOP_DB = 80.0
DELTA_WIDTH = 9
ROLL = 0.85
C_FMIN, C_BANDS, C_QUANT = 200.0, 6, 0.02
N_CHROMA = 12
ZCR_THR = 1e-10
T_NFFT, T_HOP, T_MELS = 512, 512, 64
T_MIN, T_MAX, T_PRIOR, T_OCT, T_SIGMA = 30.0, 320.0, 120.0, 1.0, 1.0
SEGMENTS, PER_SEG = 20, 21

DIMS = ([f"mfcc{i}" for i in range(N_MFCC)] + [f"dmfcc{i}" for i in range(N_MFCC)]
        + ["centroid", "bandwidth", "rolloff", "flatness"]
        + [f"contrast{i}" for i in range(C_BANDS + 1)] + [f"chroma{i}" for i in range(N_CHROMA)]
        + ["rms", "zcr", "onset"])


def clip_of(x32):
    x = np.asarray(x32, dtype=np.float32).astype(np.float64)
    y = np.zeros(CLIP)
    y[:min(len(x), CLIP)] = x[:CLIP]
    return y


def power_spec(x, n_fft, hop):
    return T.Spectrogram(n_fft=n_fft, win_length=n_fft, hop_length=hop, window_fn=torch.hann_window, power=2.0,
                         normalized=False, center=True, pad_mode="reflect", onesided=True)(torch.from_numpy(x))


def mel_db(power, n_mels, n_fft):
    mel = T.MelScale(n_mels=n_mels, sample_rate=SR, f_min=0.0, f_max=SR / 2, n_stft=n_fft // 2 + 1,
                     norm="slaney", mel_scale="slaney")(power)
    return F.amplitude_to_DB(mel, multiplier=10.0, amin=AMIN, db_multiplier=0.0, top_db=TOP_DB).numpy()


def onset(db):
    # db: (bands, frames); o[0] = 0, o[t] = mean over bands of max(0, db[t] - db[t-1])
    return np.concatenate(([0.0], np.maximum(0.0, np.diff(db, axis=1)).mean(axis=0)))


def deltas(m):
    # m: (frames, coefs). Interior: torchaudio compute_deltas (regression over ±4 frames);
    # the first / last 4 frames: slope of the least-squares line through the first / last 9 frames.
    d = F.compute_deltas(torch.from_numpy(m.T.copy()), win_length=DELTA_WIDTH).numpy().T
    h = DELTA_WIDTH // 2
    t = np.arange(DELTA_WIDTH, dtype=np.float64)
    for k in range(m.shape[1]):
        d[:h, k] = np.polyfit(t, m[:DELTA_WIDTH, k], 1)[0]
        d[-h:, k] = np.polyfit(t, m[-DELTA_WIDTH:, k], 1)[0]
    return d


def chroma_filter():
    # librosa.filters.chroma(sr, n_fft, n_chroma=12, tuning=0, ctroct=5, octwidth=2, norm=2, base_c=True)
    freqs = np.linspace(0, SR, N_FFT, endpoint=False)[1:]
    frqbins = N_CHROMA * np.log2(freqs / (440.0 / 16))
    frqbins = np.concatenate(([frqbins[0] - 1.5 * N_CHROMA], frqbins))
    binwidth = np.concatenate((np.maximum(frqbins[1:] - frqbins[:-1], 1.0), [1]))
    D = np.subtract.outer(frqbins, np.arange(0, N_CHROMA, dtype="d")).T
    half = np.round(float(N_CHROMA) / 2)
    D = np.remainder(D + half + 10 * N_CHROMA, N_CHROMA) - half
    w = np.exp(-0.5 * (2 * D / np.tile(binwidth, (N_CHROMA, 1))) ** 2)
    w = w / np.sqrt((w ** 2).sum(axis=0, keepdims=True))
    w *= np.tile(np.exp(-0.5 * (((frqbins / N_CHROMA - 5.0) / 2.0) ** 2)), (N_CHROMA, 1))
    w = np.roll(w, -3, axis=0)
    return w[:, : N_FFT // 2 + 1]


def contrast(S, freq):
    # librosa.feature.spectral_contrast(fmin=200, n_bands=6, quantile=0.02, linear=False), dB without top_db
    octa = np.zeros(C_BANDS + 2)
    octa[1:] = C_FMIN * (2.0 ** np.arange(0, C_BANDS + 1))
    out = np.zeros((C_BANDS + 1, S.shape[1]))
    for k, (lo, hi) in enumerate(zip(octa[:-1], octa[1:])):
        band = np.logical_and(freq >= lo, freq <= hi)
        idx = np.flatnonzero(band)
        if k > 0:
            band[idx[0] - 1] = True
        if k == C_BANDS:
            band[idx[-1] + 1:] = True
        sub = S[band]
        if k < C_BANDS:
            sub = sub[:-1]
        q = int(max(np.rint(C_QUANT * np.sum(band)), 1))
        srt = np.sort(sub, axis=0)
        valley = srt[:q].mean(axis=0)
        peak = srt[-q:].mean(axis=0)
        out[k] = 10 * np.log10(np.maximum(peak, AMIN)) - 10 * np.log10(np.maximum(valley, AMIN))
    return out


def tempo(x):
    env = onset(mel_db(power_spec(x, T_NFFT, T_HOP), T_MELS, T_NFFT))
    g = np.exp(-0.5 * (np.arange(-3, 4) / T_SIGMA) ** 2)
    env = np.convolve(env, g / g.sum(), mode="same")
    n = len(env)
    r0 = float(np.dot(env, env)) / n
    if not r0 > 1e-12:
        return 0.0
    fps = SR / T_HOP
    lmin = math.ceil(60 * fps / T_MAX)
    lmax = min(n - 2, math.floor(60 * fps / T_MIN))
    full = np.correlate(env, env, mode="full")[n - 1:]  # full[l] = sum_t env[t] env[t+l]

    def score(l):
        r = full[l] / (n - l)
        bpm = 60 * fps / l
        return math.log(1e-6 + r / r0) - 0.5 * (math.log2(bpm / T_PRIOR) / T_OCT) ** 2

    lags = list(range(lmin, lmax + 1))
    best = lags[int(np.argmax([score(l) for l in lags]))]
    a, b, c = score(best - 1), score(best), score(best + 1)
    den = a - 2 * b + c
    lag = best + (min(0.5, max(-0.5, 0.5 * (a - c) / den)) if den < 0 else 0.0)
    return 60 * fps / lag


def frame_descriptors(x32):
    x = clip_of(x32)
    P = power_spec(x, N_FFT, HOP)[:, :N_FRAMES]
    Pn = P.numpy()
    S = np.sqrt(Pn)
    freq = np.arange(N_FFT // 2 + 1) * SR / N_FFT
    mf = dspref.reference_mfcc(x32)  # (420, 18), torchaudio
    cen = F.spectral_centroid(torch.from_numpy(x), SR, 0, torch.hann_window(N_FFT), N_FFT, HOP, N_FFT).numpy()[:N_FRAMES]
    tot = S.sum(axis=0)
    silent = ~(tot > 1e-20)
    cen = np.where(silent, 0.0, np.nan_to_num(cen))
    bw = np.where(silent, 0.0, np.sqrt((S * (freq[:, None] - cen[None, :]) ** 2).sum(axis=0) / np.where(silent, 1, tot)))
    cum = np.cumsum(S, axis=0)
    roll = np.where(silent, 0.0, freq[np.argmax(cum >= ROLL * cum[-1:], axis=0)])
    Pf = np.maximum(Pn, AMIN)
    flat = np.exp(np.log(Pf).mean(axis=0)) / Pf.mean(axis=0)
    con = contrast(S, freq)
    ch = chroma_filter() @ Pn
    mx = ch.max(axis=0)
    ch = ch / np.where(mx > 0, mx, 1.0)
    xp = np.pad(x, N_FFT // 2, mode="reflect")
    frames = np.stack([xp[t * HOP: t * HOP + N_FFT] for t in range(N_FRAMES)])
    rms = np.sqrt((frames ** 2).mean(axis=1))
    y = np.where(np.abs(frames) <= ZCR_THR, 0.0, frames)
    zcr = (np.diff(np.signbit(y).astype(np.int8), axis=1) != 0).sum(axis=1) / N_FFT
    ons = onset(mel_db(P, N_MELS, N_FFT))
    out = np.concatenate([mf, deltas(mf), cen[:, None], bw[:, None], roll[:, None], flat[:, None], con.T, ch.T,
                          rms[:, None], zcr[:, None], ons[:, None]], axis=1)
    assert out.shape == (N_FRAMES, len(DIMS))
    return out, tempo(x)


def summarize(fr, bpm):
    stats = np.stack([fr.mean(axis=0), fr.std(axis=0)] + [np.percentile(fr, q, axis=0) for q in (10, 50, 90)], axis=1)
    seg = fr.reshape(SEGMENTS, PER_SEG, len(DIMS))
    segs = np.stack([seg.mean(axis=1), seg.std(axis=1)], axis=2)  # (20, 62, 2)
    return np.concatenate([stats.reshape(-1), [bpm]]), segs.reshape(-1)


def sig(v):
    return [float(f"{float(a):.6g}") for a in np.asarray(v).reshape(-1)]


SIGNALS = {
    "chirp": lambda: dspref.chirp(CLIP, SR),
    "two-tone": lambda: dspref.two_tone(CLIP, SR),
    "noise": lambda: dspref.noise(CLIP, 20240601),
    "clicks": lambda: dspref.clicks(CLIP, 11025),
    "short-two-tone": lambda: dspref.two_tone(SR // 2, SR),
}
SEGMENT_SIGNALS = {"chirp", "noise"}
FRAMES = sorted(set(range(0, 6)) | set(range(6, N_FRAMES - 6, 23)) | set(range(N_FRAMES - 6, N_FRAMES)))


def main():
    out = {
        "generator": "scripts/descriptor-references.py",
        "torch": torch.__version__, "torchaudio": torchaudio.__version__, "numpy": np.__version__,
        "rounding": "6 significant digits",
        "dims": DIMS,
        "frames": FRAMES,
        "signals": {},
    }
    for name, gen in SIGNALS.items():
        fr, bpm = frame_descriptors(gen())
        clip, segs = summarize(fr, bpm)
        entry = {"frameValues": sig(fr[FRAMES]), "clip": sig(clip), "tempo": float(f"{bpm:.6g}")}
        if name in SEGMENT_SIGNALS:
            entry["segments"] = sig(segs)
        out["signals"][name] = entry
        print(name, "tempo", round(bpm, 3))
    with open(OUT, "w") as fh:
        json.dump(out, fh, separators=(",", ":"))
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
