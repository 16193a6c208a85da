/**
 * Minimum-cost assignment (Hungarian algorithm, Kuhn–Munkres with potentials,
 * O(n²·m)). Used to match fitted topics to reference topics.
 */

/**
 * Returns `assignment` with `assignment[row]` = the column given to that row,
 * minimising the summed cost. Rectangular matrices are allowed: with more rows
 * than columns some rows get -1. Every row must have the same length and every
 * cost must be finite.
 */
export function hungarian(cost: readonly (readonly number[])[]): number[] {
  const rows = cost.length;
  if (rows === 0) return [];
  const cols = cost[0]!.length;
  for (const row of cost) {
    if (row.length !== cols) throw new RangeError('hungarian: rows must have equal length');
    for (const c of row) if (!Number.isFinite(c)) throw new RangeError('hungarian: costs must be finite');
  }
  if (cols === 0) return new Array<number>(rows).fill(-1);
  if (rows > cols) {
    const transposed = Array.from({ length: cols }, (_, j) => cost.map((row) => row[j]!));
    const colToRow = solve(transposed);
    const out = new Array<number>(rows).fill(-1);
    colToRow.forEach((r, c) => (out[r] = c));
    return out;
  }
  return solve(cost);
}

/** rows ≤ cols. 1-based arrays internally (e-maxx formulation). */
function solve(a: readonly (readonly number[])[]): number[] {
  const n = a.length;
  const m = a[0]!.length;
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j] = row matched to column j (1-based), 0 = none
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = a[i0 - 1]![j - 1]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]!] = u[p[j]!]! + delta;
          v[j] = v[j]! - delta;
        } else {
          minv[j] = minv[j]! - delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const out = new Array<number>(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j]! > 0) out[p[j]! - 1] = j - 1;
  return out;
}
