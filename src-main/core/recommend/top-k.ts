/**
 * Indices of the k smallest scores, best first, skipping excluded indices. A bounded max-heap keeps
 * this O(n log k), so ranking a million songs for a queue of 50 costs one pass.
 */
export function smallestK(scores: Float32Array, k: number, exclude?: (index: number) => boolean): number[] {
  if (k <= 0) return [];
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
