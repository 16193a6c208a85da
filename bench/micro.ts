/** Shared by the DSP micro-benchmarks: a deterministic test signal and a median-of-runs timer. */

/**
 * `seconds` of a 440 Hz + 6 kHz tone mix with xorshift noise at `rate` Hz; with `clicksPerSecond`, short
 * clicks on that grid too (an onset train for the tempo estimate).
 */
export function testSignal(rate: number, seconds: number, seed: number, clicksPerSecond = 0): Float32Array {
  const n = Math.round(rate * seconds);
  const x = new Float32Array(n);
  const clickEvery = clicksPerSecond > 0 ? Math.round(rate / clicksPerSecond) : 0;
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const noise = s / 4294967296 - 0.5;
    const click = clickEvery > 0 && i % clickEvery < 64 ? 0.5 : 0;
    x[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / rate) + 0.2 * Math.sin((2 * Math.PI * 6000 * i) / rate) + 0.1 * noise + click;
  }
  return x;
}

/** Runs `fn` twice to warm up, then `runs` times; prints and returns the median ms. */
export function timeMedian(label: string, runs: number, fn: () => unknown, labelWidth = 40): number {
  fn(); // warm-up (includes one-off table construction)
  fn();
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)] ?? NaN;
  const min = ms[0] ?? NaN;
  console.log(`${label.padEnd(labelWidth)} median ${median.toFixed(2)} ms  min ${min.toFixed(2)} ms  (${runs} runs)`);
  return median;
}
