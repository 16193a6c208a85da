/**
 * Unlearned song → song distances (docs/recommend.md#song-metrics): per-song Gaussians of the
 * frame-level MFCCs compared by symmetric Kullback–Leibler or Jensen–Shannon divergence (as Musly
 * does), an MFCC fluctuation pattern (the modulation spectrum of each coefficient, a cheap rhythm
 * descriptor), and hubness reduction over any distance matrix (mutual proximity, CSLS). Pure.
 */

/** A full-covariance Gaussian of `dim` dimensions (row-major matrices, float64). */
export interface Gaussian {
  dim: number;
  mean: Float64Array;
  cov: Float64Array;
  /** The inverse of `cov`. */
  inv: Float64Array;
  logDet: number;
}

/** Ridge added to the covariance's diagonal, relative to its mean variance: keeps it invertible. */
const RIDGE = 1e-4;

/**
 * The Gaussian (mean, full covariance with the 1/n estimator) of `frames` rows of `dim` values read from
 * `data` starting at `offset` (frame-major: frame f, coefficient c at offset + f·dim + c).
 */
export function frameGaussian(data: Float32Array, offset: number, frames: number, dim: number): Gaussian {
  const mean = new Float64Array(dim);
  for (let f = 0; f < frames; f++) for (let c = 0; c < dim; c++) mean[c]! += data[offset + f * dim + c]!;
  for (let c = 0; c < dim; c++) mean[c]! /= frames;
  const cov = new Float64Array(dim * dim);
  const x = new Float64Array(dim);
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < dim; c++) x[c] = data[offset + f * dim + c]! - mean[c]!;
    for (let a = 0; a < dim; a++) for (let b = a; b < dim; b++) cov[a * dim + b]! += x[a]! * x[b]!;
  }
  let trace = 0;
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) cov[b * dim + a] = cov[a * dim + b] = cov[a * dim + b]! / frames;
    trace += cov[a * dim + a]!;
  }
  const ridge = Math.max(1e-9, (RIDGE * trace) / dim);
  for (let a = 0; a < dim; a++) cov[a * dim + a]! += ridge;
  return gaussianOf(mean, cov);
}

/** A Gaussian from its mean and (symmetric positive definite) covariance. */
export function gaussianOf(mean: Float64Array, cov: Float64Array): Gaussian {
  const dim = mean.length;
  const { inv, logDet } = invertSpd(cov, dim);
  return { dim, mean, cov, inv, logDet };
}

/** Cholesky factor (lower, in place of a copy); throws when the matrix is not positive definite. */
function cholesky(m: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = m[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError('matrix is not positive definite');
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j]!;
    }
  }
  return l;
}

/** log det of a symmetric positive definite n × n matrix. */
export function logDetSpd(m: Float64Array, n: number): number {
  const l = cholesky(m, n);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]!);
  return 2 * s;
}

function invertSpd(m: Float64Array, n: number): { inv: Float64Array; logDet: number } {
  const l = cholesky(m, n);
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += 2 * Math.log(l[i * n + i]!);
  // L⁻¹ by forward substitution, then (L⁻¹)ᵀ L⁻¹.
  const li = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    li[j * n + j] = 1 / l[j * n + j]!;
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * n + k]! * li[k * n + j]!;
      li[i * n + j] = s / l[i * n + i]!;
    }
  }
  const inv = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let s = 0;
      for (let k = b; k < n; k++) s += li[k * n + a]! * li[k * n + b]!;
      inv[a * n + b] = inv[b * n + a] = s;
    }
  }
  return { inv, logDet };
}

/** KL(p ‖ q) = ½ [tr(Σq⁻¹ Σp) + (μq − μp)ᵀ Σq⁻¹ (μq − μp) − d + ln det Σq − ln det Σp]. */
export function klDivergence(p: Gaussian, q: Gaussian): number {
  const d = p.dim;
  let trace = 0;
  for (let i = 0; i < d * d; i++) trace += q.inv[i]! * p.cov[i]!;
  let quad = 0;
  for (let a = 0; a < d; a++) {
    const da = q.mean[a]! - p.mean[a]!;
    for (let b = 0; b < d; b++) quad += da * q.inv[a * d + b]! * (q.mean[b]! - p.mean[b]!);
  }
  return 0.5 * (trace + quad - d + q.logDet - p.logDet);
}

/** KL(a ‖ b) + KL(b ‖ a): the log-determinants cancel, so it is linear in each song's parameters. */
export function symmetricKl(a: Gaussian, b: Gaussian): number {
  const d = a.dim;
  let trace = 0;
  for (let i = 0; i < d * d; i++) trace += a.inv[i]! * b.cov[i]! + b.inv[i]! * a.cov[i]!;
  let quad = 0;
  for (let i = 0; i < d; i++) {
    const di = a.mean[i]! - b.mean[i]!;
    for (let j = 0; j < d; j++) quad += di * (a.inv[i * d + j]! + b.inv[i * d + j]!) * (a.mean[j]! - b.mean[j]!);
  }
  return 0.5 * (trace + quad) - d;
}

/**
 * Jensen–Shannon divergence between two Gaussians as Musly computes it: the mixture ½(p + q) replaced
 * by the moment-matched Gaussian m, JS ≈ ½ ln det Σm − ¼ (ln det Σp + ln det Σq) (the entropy terms;
 * ≥ 0 because ln det is concave).
 */
export function jensenShannon(p: Gaussian, q: Gaussian): number {
  const d = p.dim;
  const m = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    const da = p.mean[a]! - q.mean[a]!;
    for (let b = 0; b < d; b++)
      m[a * d + b] = 0.5 * (p.cov[a * d + b]! + q.cov[a * d + b]!) + 0.25 * da * (p.mean[b]! - q.mean[b]!);
  }
  return Math.max(0, 0.5 * logDetSpd(m, d) - 0.25 * (p.logDet + q.logDet));
}

/** Width of the linear form of the symmetric KL: 2 d² + 2 d + 1 values per song. */
export function sklFormWidth(dim: number): number {
  return 2 * dim * dim + 2 * dim + 1;
}

/**
 * The symmetric KL as a dot product, so one query against a library is one pass of multiply-adds:
 * SKL(a, b) = ½ [⟨Σa + μaμaᵀ, Pb⟩ + ⟨Pa, Σb + μbμbᵀ⟩ − 2 (Pa μa)·μb − 2 μa·(Pb μb) + μaᵀPaμa + μbᵀPbμb] − d
 * with P = Σ⁻¹. `item` holds [Pb, Σb + μbμbᵀ, μb, Pb μb, μbᵀPbμb]; `query` the matching coefficients
 * [Σa + μaμaᵀ, Pa, −2 Pa μa, −2 μa, 1], each halved, and `offset` = ½ μaᵀPaμa − d.
 */
export function sklItemVector(g: Gaussian): Float32Array {
  const { dim: d, mean, cov, inv } = g;
  const out = new Float32Array(sklFormWidth(d));
  const pm = matVec(inv, mean, d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      out[i * d + j] = inv[i * d + j]!;
      out[d * d + i * d + j] = cov[i * d + j]! + mean[i]! * mean[j]!;
    }
    out[2 * d * d + i] = mean[i]!;
    out[2 * d * d + d + i] = pm[i]!;
  }
  out[2 * d * d + 2 * d] = dot(mean, pm);
  return out;
}

export function sklQuery(g: Gaussian): { query: Float32Array; offset: number } {
  const { dim: d, mean, cov, inv } = g;
  const query = new Float32Array(sklFormWidth(d));
  const pm = matVec(inv, mean, d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      query[i * d + j] = 0.5 * (cov[i * d + j]! + mean[i]! * mean[j]!);
      query[d * d + i * d + j] = 0.5 * inv[i * d + j]!;
    }
    query[2 * d * d + i] = -pm[i]!;
    query[2 * d * d + d + i] = -mean[i]!;
  }
  query[2 * d * d + 2 * d] = 0.5;
  return { query, offset: 0.5 * dot(mean, pm) - d };
}

function matVec(m: Float64Array, v: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[i]! += m[i * d + j]! * v[j]!;
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Modulation bands (Hz) of the fluctuation pattern; the MFCC frame rate is 22050 / 1575 = 14 Hz. */
export const FLUCTUATION_BANDS: readonly (readonly [number, number])[] = [
  [0.2, 0.6],
  [0.6, 1.2],
  [1.2, 2],
  [2, 3],
  [3, 4.5],
  [4.5, 7],
];
const FLUCTUATION_WINDOW = 64;

/**
 * A fluctuation pattern over the MFCC matrix: for each coefficient, the magnitude spectrum of its
 * trajectory in Hann windows of 64 frames (4.6 s, half overlapping), averaged over windows and pooled
 * into FLUCTUATION_BANDS, then log(1 + x): dim × bands values that describe rhythm and periodicity.
 */
export function mfccFluctuation(
  data: Float32Array,
  offset: number,
  frames: number,
  dim: number,
  frameRate: number,
): Float32Array {
  const w = FLUCTUATION_WINDOW;
  const hann = Float64Array.from({ length: w }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / w));
  const bins = w / 2;
  const cos = new Float64Array(bins * w);
  const sin = new Float64Array(bins * w);
  for (let k = 1; k <= bins; k++) {
    for (let i = 0; i < w; i++) {
      cos[(k - 1) * w + i] = Math.cos((2 * Math.PI * k * i) / w);
      sin[(k - 1) * w + i] = Math.sin((2 * Math.PI * k * i) / w);
    }
  }
  const power = new Float64Array(dim * bins);
  let windows = 0;
  const x = new Float64Array(w);
  for (let start = 0; start + w <= frames; start += w / 2, windows++) {
    for (let c = 0; c < dim; c++) {
      let mean = 0;
      for (let i = 0; i < w; i++) mean += data[offset + (start + i) * dim + c]!;
      mean /= w;
      for (let i = 0; i < w; i++) x[i] = (data[offset + (start + i) * dim + c]! - mean) * hann[i]!;
      for (let k = 1; k <= bins; k++) {
        let re = 0;
        let im = 0;
        for (let i = 0, t = (k - 1) * w; i < w; i++, t++) {
          re += x[i]! * cos[t]!;
          im -= x[i]! * sin[t]!;
        }
        power[c * bins + k - 1]! += Math.sqrt(re * re + im * im);
      }
    }
  }
  const out = new Float32Array(dim * FLUCTUATION_BANDS.length);
  for (let c = 0; c < dim; c++) {
    FLUCTUATION_BANDS.forEach(([lo, hi], b) => {
      let s = 0;
      let count = 0;
      for (let k = 1; k <= bins; k++) {
        const hz = (k * frameRate) / w;
        if (hz >= lo && hz < hi) {
          s += power[c * bins + k - 1]!;
          count++;
        }
      }
      out[c * FLUCTUATION_BANDS.length + b] = Math.log1p(s / Math.max(1, count) / Math.max(1, windows));
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Distance matrices and hubness reduction (n × n, row-major, symmetric; the diagonal is ignored)

/** The n × n matrix of `distance(a, b)` for a < b, mirrored. */
export function pairMatrix(n: number, distance: (a: number, b: number) => number): Float64Array {
  const out = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) out[a * n + b] = out[b * n + a] = distance(a, b);
  return out;
}

/** Mean and standard deviation of each row's off-diagonal entries. */
export function rowMoments(m: Float64Array, n: number): { mean: Float64Array; sd: Float64Array } {
  const mean = new Float64Array(n);
  const sd = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    let s = 0;
    let s2 = 0;
    for (let b = 0; b < n; b++) {
      if (b === a) continue;
      const v = m[a * n + b]!;
      s += v;
      s2 += v * v;
    }
    const mu = s / Math.max(1, n - 1);
    mean[a] = mu;
    sd[a] = Math.sqrt(Math.max(1e-24, s2 / Math.max(1, n - 1) - mu * mu));
  }
  return { mean, sd };
}

/** The off-diagonal entries shifted and scaled to mean 0, sd 1 (so two distances can be blended). */
export function zNormalise(m: Float64Array, n: number): Float64Array {
  let s = 0;
  let s2 = 0;
  const count = n * (n - 1);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a === b) continue;
      s += m[a * n + b]!;
      s2 += m[a * n + b]! ** 2;
    }
  }
  const mean = s / Math.max(1, count);
  const sd = Math.sqrt(Math.max(1e-24, s2 / Math.max(1, count) - mean * mean));
  return m.map((v, i) => (i % (n + 1) === 0 ? 0 : (v - mean) / sd));
}

/** w·a + (1 − w)·b of two z-normalised matrices. */
export function blendMatrices(a: Float64Array, b: Float64Array, n: number, w: number): Float64Array {
  const za = zNormalise(a, n);
  const zb = zNormalise(b, n);
  return za.map((v, i) => w * v + (1 - w) * zb[i]!);
}

/** Standard normal CDF through erfc with a relative error below 1.2e-7, also deep in the lower tail. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Complementary error function (Numerical Recipes' erfcc, Chebyshev fit). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * Mutual proximity (Schnitzer et al. 2012, Gaussian form as in Musly): each song's distances are
 * modelled as N(μ, σ²) (`moments`, e.g. estimated on a sample of the library), and
 * MP(a, b) = 1 − P(X_a > d) · P(X_b > d) = Φa + Φb − Φa Φb, small when b is close to a by a's standard
 * *and* a is close to b by b's; computed from the CDFs so near neighbours do not round to 0.
 */
export function mutualProximity(d: number, meanA: number, sdA: number, meanB: number, sdB: number): number {
  const pa = normalCdf((d - meanA) / sdA);
  const pb = normalCdf((d - meanB) / sdB);
  return pa + pb - pa * pb;
}

export function mutualProximityMatrix(m: Float64Array, n: number): Float64Array {
  const { mean, sd } = rowMoments(m, n);
  return pairMatrix(n, (a, b) => mutualProximity(m[a * n + b]!, mean[a]!, sd[a]!, mean[b]!, sd[b]!));
}

/** Mean distance of each song to its k nearest other songs. */
export function neighbourRadius(m: Float64Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n);
  const row = new Float64Array(n - 1);
  for (let a = 0; a < n; a++) {
    let j = 0;
    for (let b = 0; b < n; b++) if (b !== a) row[j++] = m[a * n + b]!;
    row.sort();
    const kk = Math.min(k, row.length);
    let s = 0;
    for (let i = 0; i < kk; i++) s += row[i]!;
    out[a] = s / Math.max(1, kk);
  }
  return out;
}

/**
 * CSLS (Conneau et al. 2018) for distances: 2 d(a, b) − r_a − r_b, r the mean distance to the k nearest
 * neighbours; a hub (small r) is pushed away from everyone. For one query a, ranking by d(a, b) − r_b / 2.
 */
export function cslsMatrix(m: Float64Array, n: number, k: number): Float64Array {
  const r = neighbourRadius(m, n, k);
  return pairMatrix(n, (a, b) => 2 * m[a * n + b]! - r[a]! - r[b]!);
}
