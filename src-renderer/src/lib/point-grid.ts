/**
 * A uniform grid over points in screen space, for the map's hover, click and keyboard list at 100,000
 * points: each query looks at the few cells around a position instead of every point. Built in O(n)
 * as a compressed cell list (start offsets + point order), no object per point.
 */
export class PointGrid {
  private readonly columns: number;
  private readonly rows: number;
  private readonly start: Int32Array;
  private readonly order: Int32Array;

  constructor(
    private readonly xs: Float32Array,
    private readonly ys: Float32Array,
    width: number,
    height: number,
    private readonly cell: number,
  ) {
    this.columns = Math.max(1, Math.ceil(width / cell));
    this.rows = Math.max(1, Math.ceil(height / cell));
    const counts = new Int32Array(this.columns * this.rows + 1);
    for (let i = 0; i < xs.length; i++) counts[this.cellOf(xs[i]!, ys[i]!) + 1]!++;
    for (let c = 1; c < counts.length; c++) counts[c]! += counts[c - 1]!;
    this.start = counts.slice();
    this.order = new Int32Array(xs.length);
    const fill = counts; // reused as the next free slot of each cell
    for (let i = 0; i < xs.length; i++) this.order[fill[this.cellOf(xs[i]!, ys[i]!)]!++] = i;
  }

  get size(): number {
    return this.xs.length;
  }

  /** The point nearest (x, y) within `radius`, or -1; on a tie the later point (drawn on top) wins. */
  nearest(x: number, y: number, radius: number): number {
    let best = -1;
    let bestD = radius * radius;
    this.visit(x - radius, y - radius, x + radius, y + radius, (i) => {
      const d = (this.xs[i]! - x) ** 2 + (this.ys[i]! - y) ** 2;
      if (d < bestD || (d === bestD && i > best)) {
        best = i;
        bestD = d;
      }
    });
    return best;
  }

  /** The `k` points nearest (x, y), nearest first, searching rings of cells outwards until no closer one can remain. */
  nearestK(x: number, y: number, k: number): number[] {
    const found: { i: number; d: number }[] = [];
    const cx = this.clampColumn(Math.floor(x / this.cell));
    const cy = this.clampRow(Math.floor(y / this.cell));
    const maxRing = Math.max(this.columns, this.rows);
    for (let ring = 0; ring <= maxRing; ring++) {
      for (let gy = cy - ring; gy <= cy + ring; gy++) {
        for (let gx = cx - ring; gx <= cx + ring; gx++) {
          if (Math.max(Math.abs(gx - cx), Math.abs(gy - cy)) !== ring) continue; // the ring's edge only
          if (gx < 0 || gy < 0 || gx >= this.columns || gy >= this.rows) continue;
          const c = gy * this.columns + gx;
          for (let j = this.start[c]!; j < this.start[c + 1]!; j++) {
            const i = this.order[j]!;
            found.push({ i, d: (this.xs[i]! - x) ** 2 + (this.ys[i]! - y) ** 2 });
          }
        }
      }
      // Every point not yet seen lies at least `ring` cells (ring × cell) away from (x, y)'s cell edge.
      if (found.length >= k) {
        found.sort((a, b) => a.d - b.d || b.i - a.i);
        const reach = ring * this.cell;
        if (found[k - 1]!.d <= reach * reach) break;
      }
    }
    found.sort((a, b) => a.d - b.d || b.i - a.i);
    return found.slice(0, k).map((f) => f.i);
  }

  /**
   * The points inside a closed polygon (`polygon`: x0, y0, x1, y1, …; the last vertex joins the first),
   * by the even-odd rule, in index order: only the cells under the polygon's bounding box are visited.
   */
  inPolygon(polygon: ArrayLike<number>): number[] {
    const n = Math.floor(polygon.length / 2);
    if (n < 3) return [];
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (let v = 0; v < n; v++) {
      x0 = Math.min(x0, polygon[2 * v]!);
      x1 = Math.max(x1, polygon[2 * v]!);
      y0 = Math.min(y0, polygon[2 * v + 1]!);
      y1 = Math.max(y1, polygon[2 * v + 1]!);
    }
    const inside: number[] = [];
    this.visit(x0, y0, x1, y1, (i) => {
      const x = this.xs[i]!;
      const y = this.ys[i]!;
      if (x < x0 || x > x1 || y < y0 || y > y1) return;
      if (insidePolygon(polygon, n, x, y)) inside.push(i);
    });
    return inside.sort((a, b) => a - b);
  }

  private visit(x0: number, y0: number, x1: number, y1: number, each: (i: number) => void): void {
    const gx0 = this.clampColumn(Math.floor(x0 / this.cell));
    const gx1 = this.clampColumn(Math.floor(x1 / this.cell));
    const gy0 = this.clampRow(Math.floor(y0 / this.cell));
    const gy1 = this.clampRow(Math.floor(y1 / this.cell));
    for (let gy = gy0; gy <= gy1; gy++) {
      for (let gx = gx0; gx <= gx1; gx++) {
        const c = gy * this.columns + gx;
        for (let j = this.start[c]!; j < this.start[c + 1]!; j++) each(this.order[j]!);
      }
    }
  }

  private cellOf(x: number, y: number): number {
    return this.clampRow(Math.floor(y / this.cell)) * this.columns + this.clampColumn(Math.floor(x / this.cell));
  }

  private clampColumn(c: number): number {
    return Math.max(0, Math.min(this.columns - 1, c));
  }

  private clampRow(r: number): number {
    return Math.max(0, Math.min(this.rows - 1, r));
  }
}

/** Even-odd ray casting: does a ray from (x, y) towards +x cross the polygon's edges an odd number of times? */
export function insidePolygon(polygon: ArrayLike<number>, n: number, x: number, y: number): boolean {
  let inside = false;
  for (let a = 0, b = n - 1; a < n; b = a++) {
    const ax = polygon[2 * a]!;
    const ay = polygon[2 * a + 1]!;
    const bx = polygon[2 * b]!;
    const by = polygon[2 * b + 1]!;
    if (ay > y !== by > y && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) inside = !inside;
  }
  return inside;
}
