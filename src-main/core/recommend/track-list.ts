/**
 * The recommendation index's tracks, packed: ids in a Float64Array, and path, artist, title, album and
 * album artist as UTF-8 in one buffer outside the JavaScript heap, decoded only for the tracks a call
 * shows. As an array of objects, 100,000 tracks with real paths were ~50 MB of heap in ~500,000
 * objects, which every full collection of the reader worker had to mark: 40–60 ms pauses that landed in
 * the queries (docs/benchmarks.md). Packed, they are a handful of typed arrays.
 */
import type { IndexedTrack } from './recommender.ts';

const FIELDS = ['path', 'artist', 'title', 'album', 'albumArtist'] as const;
export type TrackField = (typeof FIELDS)[number];
const FIELD_AT: Record<TrackField, number> = { path: 0, artist: 1, title: 2, album: 3, albumArtist: 4 };
const N_FIELDS = FIELDS.length;

export class TrackList {
  constructor(
    readonly length: number,
    private readonly ids: Float64Array,
    /** Field f of track i spans text[ends[i·F + f − 1] .. ends[i·F + f]) (from 0 for the very first). */
    private readonly ends: Uint32Array,
    /** Bit f set: field f is null (not the empty string). */
    private readonly nulls: Uint8Array,
    private readonly text: Buffer,
  ) {}

  /** Packs an array of tracks (tests, callers that have them as objects). */
  static of(tracks: readonly IndexedTrack[]): TrackList {
    const builder = new TrackListBuilder(tracks.length);
    for (const t of tracks) builder.add(t);
    return builder.finish();
  }

  id(i: number): number {
    this.check(i);
    return this.ids[i]!;
  }

  /** One field of track i (null where the library has none). */
  field(i: number, name: TrackField): string | null {
    this.check(i);
    const f = FIELD_AT[name];
    if (this.nulls[i]! & (1 << f)) return null;
    const k = i * N_FIELDS + f;
    return this.text.toString('utf8', k === 0 ? 0 : this.ends[k - 1]!, this.ends[k]!);
  }

  /** Track i as an object (a fresh one: decode only what is shown). */
  at(i: number): IndexedTrack {
    return {
      id: this.id(i),
      path: this.field(i, 'path') ?? '',
      artist: this.field(i, 'artist'),
      title: this.field(i, 'title'),
      album: this.field(i, 'album'),
      albumArtist: this.field(i, 'albumArtist'),
    };
  }

  /** Every track as an object (tests and benchmarks; the app decodes only what it shows). */
  toArray(): IndexedTrack[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i));
  }

  private check(i: number): void {
    if (!(i >= 0 && i < this.length && Number.isInteger(i)))
      throw new RangeError(`track ${i} is not in the list of ${this.length}`);
  }
}

/** Builds a TrackList track by track (the index build, page by page), growing its buffer by doubling. */
export class TrackListBuilder {
  private count = 0;
  private ids: Float64Array;
  private ends: Uint32Array;
  private nulls: Uint8Array;
  private text: Buffer;
  private used = 0;

  constructor(capacity: number) {
    const n = Math.max(1, capacity);
    this.ids = new Float64Array(n);
    this.ends = new Uint32Array(n * N_FIELDS);
    this.nulls = new Uint8Array(n);
    this.text = Buffer.allocUnsafe(n * 96); // ~ a path and three names
  }

  get length(): number {
    return this.count;
  }

  add(track: IndexedTrack): void {
    if (this.count === this.ids.length) this.growRows();
    const i = this.count++;
    this.ids[i] = track.id;
    let nulls = 0;
    for (let f = 0; f < N_FIELDS; f++) {
      const value = track[FIELDS[f]!];
      if (value === null || value === undefined) nulls |= 1 << f;
      else {
        // At most 3 UTF-8 bytes per UTF-16 unit: room for that, and no byteLength pass of its own.
        const need = this.used + 3 * value.length;
        if (need > this.text.length) this.growText(need);
        this.used += this.text.write(value, this.used, 'utf8');
      }
      this.ends[i * N_FIELDS + f] = this.used;
    }
    this.nulls[i] = nulls;
  }

  finish(): TrackList {
    const n = this.count;
    // Copies at the exact size, so the spare capacity is not kept for the index's lifetime.
    return new TrackList(
      n,
      this.ids.slice(0, n),
      this.ends.slice(0, n * N_FIELDS),
      this.nulls.slice(0, n),
      Buffer.from(this.text.subarray(0, this.used)),
    );
  }

  private growRows(): void {
    const n = this.ids.length * 2;
    const ids = new Float64Array(n);
    ids.set(this.ids);
    const ends = new Uint32Array(n * N_FIELDS);
    ends.set(this.ends);
    const nulls = new Uint8Array(n);
    nulls.set(this.nulls);
    [this.ids, this.ends, this.nulls] = [ids, ends, nulls];
  }

  private growText(need: number): void {
    if (need > 0xffffffff) throw new RangeError('the track names exceed 4 GiB');
    const text = Buffer.allocUnsafe(Math.min(0xffffffff, Math.max(need, this.text.length * 2)));
    this.text.copy(text, 0, 0, this.used);
    this.text = text;
  }
}
