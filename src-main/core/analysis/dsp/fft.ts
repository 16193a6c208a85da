/**
 * Real-input FFT of a fixed power-of-two size: one complex radix-2 FFT of
 * size n/2 on the even/odd interleaved samples plus the usual split step.
 * All tables are precomputed; transforms allocate nothing.
 */
export class RealFft {
  readonly size: number;
  private readonly half: number;
  private readonly rev: Uint32Array;
  /** cos / -sin of 2πk/half for k < half/2 (complex stage twiddles). */
  private readonly cosH: Float64Array;
  private readonly sinH: Float64Array;
  /** cos / sin of 2πk/size for k <= half (split twiddles). */
  private readonly cosS: Float64Array;
  private readonly sinS: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 8 || (size & (size - 1)) !== 0) {
      throw new RangeError('FFT size must be a power of two >= 8');
    }
    this.size = size;
    const half = size >> 1;
    this.half = half;
    const bits = Math.log2(half);
    this.rev = new Uint32Array(half);
    for (let i = 0; i < half; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
    this.cosH = new Float64Array(Math.max(1, half >> 1));
    this.sinH = new Float64Array(Math.max(1, half >> 1));
    for (let k = 0; k < half >> 1; k++) {
      this.cosH[k] = Math.cos((2 * Math.PI * k) / half);
      this.sinH[k] = Math.sin((2 * Math.PI * k) / half);
    }
    this.cosS = new Float64Array(half + 1);
    this.sinS = new Float64Array(half + 1);
    for (let k = 0; k <= half; k++) {
      this.cosS[k] = Math.cos((2 * Math.PI * k) / size);
      this.sinS[k] = Math.sin((2 * Math.PI * k) / size);
    }
    this.re = new Float64Array(half);
    this.im = new Float64Array(half);
  }

  /**
   * Power spectrum |X[k]|², k = 0..size/2, of the real signal `input[0 .. size)`
   * (read as zeros past its end) into `out[outOffset .. outOffset + size/2]`.
   */
  powerSpectrum(input: Float64Array, out: Float64Array, outOffset = 0): void {
    const { half, rev, re, im } = this;
    for (let i = 0; i < half; i++) {
      const r = rev[i] ?? 0;
      re[r] = input[2 * i] ?? 0;
      im[r] = input[2 * i + 1] ?? 0;
    }
    this.transform();
    this.powerFromPacked(out, outOffset);
  }

  /**
   * Power spectrum of `x[first .. first+size)` multiplied by `window` (length size).
   * The caller guarantees the range lies inside `x`. Written to `out[outOffset .. outOffset + size/2]`.
   */
  powerSpectrumWindowed(x: Float32Array, first: number, window: Float64Array, out: Float64Array, outOffset = 0): void {
    const { half, rev, re, im } = this;
    for (let i = 0, j = first; i < half; i++, j += 2) {
      const r = rev[i] ?? 0;
      re[r] = (x[j] ?? 0) * (window[2 * i] ?? 0);
      im[r] = (x[j + 1] ?? 0) * (window[2 * i + 1] ?? 0);
    }
    this.transform();
    this.powerFromPacked(out, outOffset);
  }

  private powerFromPacked(out: Float64Array, o: number): void {
    const { half, re, im, cosS, sinS } = this;
    const r0 = re[0] ?? 0;
    const i0 = im[0] ?? 0;
    out[o] = (r0 + i0) * (r0 + i0);
    out[o + half] = (r0 - i0) * (r0 - i0);
    for (let k = 1; k < half; k++) {
      const a = re[k] ?? 0;
      const b = im[k] ?? 0;
      const c = re[half - k] ?? 0;
      const d = im[half - k] ?? 0;
      const eR = 0.5 * (a + c);
      const eI = 0.5 * (b - d);
      const oR = 0.5 * (b + d);
      const oI = -0.5 * (a - c);
      const wc = cosS[k] ?? 0;
      const ws = sinS[k] ?? 0;
      const xr = eR + wc * oR + ws * oI;
      const xi = eI + wc * oI - ws * oR;
      out[o + k] = xr * xr + xi * xi;
    }
  }

  /**
   * Full complex spectrum X[k], k = 0..size/2, of a real signal (for tests and tools).
   */
  spectrum(input: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    const { half, rev, re, im } = this;
    for (let i = 0; i < half; i++) {
      const r = rev[i] ?? 0;
      re[r] = input[2 * i] ?? 0;
      im[r] = input[2 * i + 1] ?? 0;
    }
    this.transform();
    const { cosS, sinS } = this;
    const r0 = re[0] ?? 0;
    const i0 = im[0] ?? 0;
    outRe[0] = r0 + i0;
    outIm[0] = 0;
    outRe[half] = r0 - i0;
    outIm[half] = 0;
    for (let k = 1; k < half; k++) {
      const a = re[k] ?? 0;
      const b = im[k] ?? 0;
      const c = re[half - k] ?? 0;
      const d = im[half - k] ?? 0;
      const eR = 0.5 * (a + c);
      const eI = 0.5 * (b - d);
      const oR = 0.5 * (b + d);
      const oI = -0.5 * (a - c);
      const wc = cosS[k] ?? 0;
      const ws = sinS[k] ?? 0;
      outRe[k] = eR + wc * oR + ws * oI;
      outIm[k] = eI + wc * oI - ws * oR;
    }
  }

  /** In-place iterative radix-2 decimation-in-time FFT on re/im (already bit-reversed). */
  private transform(): void {
    const { half, re, im, cosH, sinH } = this;
    // Stages of size 2 and 4 fused: twiddles are 1 and -i, no multiplications.
    for (let a = 0; a < half; a += 4) {
      const r0 = re[a] ?? 0,
        i0 = im[a] ?? 0;
      const r1 = re[a + 1] ?? 0,
        i1 = im[a + 1] ?? 0;
      const r2 = re[a + 2] ?? 0,
        i2 = im[a + 2] ?? 0;
      const r3 = re[a + 3] ?? 0,
        i3 = im[a + 3] ?? 0;
      const s0r = r0 + r1,
        s0i = i0 + i1,
        d0r = r0 - r1,
        d0i = i0 - i1;
      const s1r = r2 + r3,
        s1i = i2 + i3,
        d1r = r2 - r3,
        d1i = i2 - i3;
      re[a] = s0r + s1r;
      im[a] = s0i + s1i;
      re[a + 2] = s0r - s1r;
      im[a + 2] = s0i - s1i;
      // (d1r + i d1i) * (-i) = d1i - i d1r
      re[a + 1] = d0r + d1i;
      im[a + 1] = d0i - d1r;
      re[a + 3] = d0r - d1i;
      im[a + 3] = d0i + d1r;
    }
    // Remaining stages, two at a time (radix-2²): stage S then stage 2S on 4 points.
    let size = 8;
    for (; size * 2 <= half; size <<= 2) {
      const hs = size >> 1; // butterfly span of stage S
      const step = (half / size) | 0; // twiddle stride of stage S (W_S^j = W_half^(j*step))
      const step2 = step >> 1; // stage 2S
      const block = size << 1;
      for (let j = 0; j < hs; j++) {
        const w1r = cosH[j * step] ?? 0;
        const w1i = -(sinH[j * step] ?? 0);
        const w2r = cosH[j * step2] ?? 0;
        const w2i = -(sinH[j * step2] ?? 0);
        for (let b = j; b < half; b += block) {
          const i1 = b + hs;
          const i2 = b + size;
          const i3 = i2 + hs;
          // stage S: (b, i1) and (i2, i3) with W1
          const r1 = re[i1] ?? 0,
            m1 = im[i1] ?? 0;
          const t1r = r1 * w1r - m1 * w1i,
            t1i = r1 * w1i + m1 * w1r;
          const r3 = re[i3] ?? 0,
            m3 = im[i3] ?? 0;
          const t3r = r3 * w1r - m3 * w1i,
            t3i = r3 * w1i + m3 * w1r;
          const r0 = re[b] ?? 0,
            m0 = im[b] ?? 0;
          const r2 = re[i2] ?? 0,
            m2 = im[i2] ?? 0;
          const a0r = r0 + t1r,
            a0i = m0 + t1i;
          const a1r = r0 - t1r,
            a1i = m0 - t1i;
          const a2r = r2 + t3r,
            a2i = m2 + t3i;
          const a3r = r2 - t3r,
            a3i = m2 - t3i;
          // stage 2S: (b, i2) with W2, (i1, i3) with W2 * (-i)
          const u2r = a2r * w2r - a2i * w2i,
            u2i = a2r * w2i + a2i * w2r;
          const v3r = a3r * w2r - a3i * w2i,
            v3i = a3r * w2i + a3i * w2r;
          // (v3r + i v3i) * (-i) = v3i - i v3r
          re[b] = a0r + u2r;
          im[b] = a0i + u2i;
          re[i2] = a0r - u2r;
          im[i2] = a0i - u2i;
          re[i1] = a1r + v3i;
          im[i1] = a1i - v3r;
          re[i3] = a1r - v3i;
          im[i3] = a1i + v3r;
        }
      }
    }
    // A last single radix-2 stage when the count of remaining stages is odd.
    for (; size <= half; size <<= 1) {
      const hs = size >> 1;
      const step = (half / size) | 0;
      for (let start = 0; start < half; start += size) {
        for (let j = 0, t = 0; j < hs; j++, t += step) {
          const wr = cosH[t] ?? 0;
          const wi = -(sinH[t] ?? 0);
          const a = start + j;
          const b = a + hs;
          const br = re[b] ?? 0;
          const bi = im[b] ?? 0;
          const tr = br * wr - bi * wi;
          const ti = br * wi + bi * wr;
          const ar = re[a] ?? 0;
          const ai = im[a] ?? 0;
          re[b] = ar - tr;
          im[b] = ai - ti;
          re[a] = ar + tr;
          im[a] = ai + ti;
        }
      }
    }
  }
}
