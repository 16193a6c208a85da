import { describe, expect, it } from 'vitest';
import { downmixToMono } from './mono.ts';

describe('downmixToMono', () => {
  it('averages two channels', () => {
    const out = downmixToMono([Float32Array.of(1, 0.5, -1), Float32Array.of(0, 0.5, 1)]);
    expect(Array.from(out)).toEqual([0.5, 0.5, 0]);
  });

  it('averages any number of channels and treats missing samples as zero', () => {
    const out = downmixToMono([Float32Array.of(3, 3), Float32Array.of(0, 0, 3), Float32Array.of(0, 3, 3)]);
    expect(Array.from(out)).toEqual([1, 2, 2]);
  });

  it('copies a single channel and returns empty for no channels', () => {
    const ch = Float32Array.of(0.25, -0.25);
    const out = downmixToMono([ch]);
    expect(Array.from(out)).toEqual([0.25, -0.25]);
    expect(out).not.toBe(ch);
    expect(downmixToMono([]).length).toBe(0);
  });
});
