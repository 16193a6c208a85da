/**
 * Indices of the k smallest scores, best first (ties: the lower index first), skipping NaN and excluded
 * indices. By a threshold rather than a heap: a sorted stride sample of the scores gives a value below
 * which ~2k of them lie; one pass collects those, packed with their index into float64 keys (the score's
 * float32 bits, mapped to integers in the scores' order, · 2²¹ + index: exact) that the engine's numeric
 * sort orders; the exclusion test runs on candidates only, in order. When exclusions leave fewer than k
 * under the threshold, the heap answers instead (one pass): exact either way. A shortlist of 1,000
 * of 100,000 took 1.2 ms with the heap and its comparator calls. Up to 16,384 scores, and from 2²¹ (the
 * key's index bits), the heap selects.
 */
export function smallestK(scores: Float32Array, k: number, exclude?: (index: number) => boolean): number[] {
  if (k <= 0) return [];
  const n = scores.length;
  // A few thousand scores (a path's grid points rank ~3,000 candidates, many times a path): the heap's one
  // cheap pass beats building and sorting keys. Past the keys' index range too.
  if (n <= SMALL || n >= INDEX_LIMIT) return heapSmallestK(scores, k, exclude);
  if (k * 8 >= n) return fromCandidates(scores, Infinity, k, exclude)!;
  const m = Math.ceil(n / STRIDE);
  if (sampleScratch.length < m) sampleScratch = new Float32Array(m);
  let valid = 0;
  for (let j = 0; j < m; j++) {
    const v = scores[j * STRIDE]!;
    if (v === v) sampleScratch[valid++] = v; // not NaN
  }
  const sample = sampleScratch.subarray(0, valid);
  // A threshold with ~3k scores under it; if exclusions leave too few, once more with the rank scaled by
  // the share they left (a tempo range keeps ~40 % of a library).
  let rank = Math.ceil((3 * k * m) / n) + 16;
  for (let attempt = 0; attempt < 2 && rank < valid - 1; attempt++) {
    const found = fromCandidates(scores, selectRank(sample, rank), k, exclude, 16 * (k + 64));
    if (found === null) break; // ties: too many under the threshold
    if (found.length >= k) return found;
    if (found.length === 0) break;
    rank = Math.ceil((rank * 1.5 * k) / found.length);
  }
  // The exclusions took most of the candidates, or ties at the threshold put far too many under it: the
  // heap asks only about scores that would enter it, in one pass.
  return heapSmallestK(scores, k, exclude);
}

/** The value of rank r (0-based) of `a` (no NaN), by quickselect in place (Hoare partition, middle pivot). */
function selectRank(a: Float32Array, r: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (r <= j) hi = j;
    else if (r >= i) lo = i;
    else return a[r]!;
  }
  return a[r]!;
}

/**
 * The k smallest non-excluded of the scores ≤ `threshold`, in order (fewer when fewer are left), or null
 * when more than `limit` scores lie under it. With threshold Infinity and no limit: over every score.
 */
function fromCandidates(
  scores: Float32Array,
  threshold: number,
  k: number,
  exclude?: (index: number) => boolean,
  limit = Infinity,
): number[] | null {
  const n = scores.length;
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, n);
  let keys = keyScratch;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (!(scores[i]! <= threshold)) continue; // NaN is never ≤
    if (count >= limit) return null;
    if (count === keys.length) {
      const grown = new Float64Array(keys.length * 2);
      grown.set(keys);
      keys = keyScratch = grown;
    }
    keys[count++] = ordered(bits[i]!) * INDEX_LIMIT + i;
  }
  const sorted = keys.subarray(0, count).sort();
  const out: number[] = [];
  for (let c = 0; c < count && out.length < k; c++) {
    const i = sorted[c]! % INDEX_LIMIT;
    if (!exclude?.(i)) out.push(i);
  }
  return out;
}

/** Up to this many scores the heap selects. */
const SMALL = 16_384;
/** Every STRIDE-th score is sampled for the threshold. */
const STRIDE = 16;
/** Indices below this fit beside a score's 32 bits in a float64's 53-bit integer range. */
const INDEX_LIMIT = 2 ** 21;
let sampleScratch = new Float32Array(0);
let keyScratch = new Float64Array(4096);

/** The float32 bits `b` (not NaN) as an unsigned integer in the scores' order, −0 as +0. */
function ordered(b: number): number {
  if (b === 0x80000000) return 0x80000000; // −0 as +0
  return b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
}

/** The bounded max-heap selection (O(n log k)): for libraries past the keys' index range, and bench:recommend's baseline. */
export function heapSmallestK(scores: Float32Array, k: number, exclude?: (index: number) => boolean): number[] {
  const heap: number[] = []; // max-heap of indices by score
  const worse = (a: number, b: number) => scores[a]! > scores[b]! || (scores[a] === scores[b] && a > b);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (Number.isNaN(s)) continue;
    // The exclusion test runs only for a score that would enter the heap (most of a million do not).
    if (heap.length < k) {
      if (exclude?.(i)) continue;
      heap.push(i);
      siftUp(heap, heap.length - 1, worse);
    } else if (s <= scores[heap[0]!]! && worse(heap[0]!, i) && !exclude?.(i)) {
      heap[0] = i;
      siftDown(heap, 0, worse);
    }
  }
  return heap.sort((a, b) => scores[a]! - scores[b]! || a - b);
}

function siftUp(heap: number[], i: number, worse: (a: number, b: number) => boolean): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!worse(heap[i]!, heap[parent]!)) return;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function siftDown(heap: number[], i: number, worse: (a: number, b: number) => boolean): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let top = i;
    if (l < heap.length && worse(heap[l]!, heap[top]!)) top = l;
    if (r < heap.length && worse(heap[r]!, heap[top]!)) top = r;
    if (top === i) return;
    [heap[i], heap[top]] = [heap[top]!, heap[i]!];
    i = top;
  }
}
