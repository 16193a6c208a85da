// `npm run bench:index-heap -- [--tracks 100000]`: what the recommendation index's track names cost the
// process that holds the index (the reader worker): JavaScript heap and the pause of a full garbage
// collection, with the names packed (track-list.ts, what the index holds) against the baseline of the
// same tracks as an array of objects (what it held before), in the same run. The names look like a real
// library's (a path of ~100 characters, artist, title, album), so the heap is what a listener's would be.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseArgs } from 'node:util';
import type { IndexedTrack } from '../src-main/core/recommend/recommender.ts';
import { TrackList } from '../src-main/core/recommend/track-list.ts';

const { values } = parseArgs({
  options: { tracks: { type: 'string', default: '100000' }, json: { type: 'boolean', default: false } },
});
const count = Number(values.tracks);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function libraryTracks(): IndexedTrack[] {
  return Array.from({ length: count }, (_, i) => {
    const artist = `Artist Name ${i % 9000}`;
    const album = `Album Title ${Math.floor(i / 12)} (${1960 + (i % 60)})`;
    const title = `Song Title Number ${i} (Remastered)`;
    return {
      id: i + 1,
      path: `/home/listener/Music/${artist}/${album}/${String((i % 12) + 1).padStart(2, '0')} - ${title}.flac`,
      artist,
      title,
      album,
      albumArtist: i % 7 === 0 ? 'Various Artists' : null,
    };
  });
}

/** Full-collection pauses (7 collections, sorted) with whatever is alive now. */
function pauses(): number[] {
  const out: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    gc();
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}
const mb = (bytes: number) => bytes / 2 ** 20;
const memory = () => {
  // Twice: one call can leave garbage of the previous phase (an incremental marking in progress).
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, outside: m.arrayBuffers };
};

const empty = memory();
const emptyPauses = pauses();
let t = performance.now();
const held: { objects: IndexedTrack[] | null } = { objects: libraryTracks() };
const buildMs = performance.now() - t;
const withObjects = memory();
const objectPauses = pauses();
t = performance.now();
// In a function of its own: a register of this (module) frame holding the array would keep it alive.
const pack = (from: { objects: IndexedTrack[] | null }) => TrackList.of(from.objects!);
const list = pack(held);
const packMs = performance.now() - t;
held.objects = null; // the baseline let go: only the packed list is left
const withList = memory();
const listPauses = pauses();
// What a query pays for the packing: its 20 results decoded.
t = performance.now();
for (let q = 0; q < 1000; q++) for (let k = 0; k < 20; k++) list.at((q * 7919 + k * 104729) % count);
const decodeUs = ((performance.now() - t) / 1000) * 1000;

const result = {
  tracks: count,
  empty: { gcMedianMs: emptyPauses[3]! },
  objects: {
    heapMb: mb(withObjects.heap - empty.heap),
    outsideMb: mb(withObjects.outside - empty.outside),
    gcMedianMs: objectPauses[3]!,
    gcMaxMs: objectPauses[6]!,
    buildMs,
  },
  packed: {
    heapMb: mb(withList.heap - empty.heap),
    outsideMb: mb(withList.outside - empty.outside),
    gcMedianMs: listPauses[3]!,
    gcMaxMs: listPauses[6]!,
    packMs,
  },
  decode20Us: decodeUs,
};
if (values.json) console.log(JSON.stringify(result));
else {
  const f = (x: number) => x.toFixed(1);
  console.log(
    `${count.toLocaleString('en')} tracks with a real library's names (Node ${process.version}); a full GC with nothing held: ${f(emptyPauses[3]!)} ms`,
  );
  console.log("| the index's tracks | JS heap MB | outside the heap MB | full GC median / max ms | build ms |");
  console.log('| --- | ---: | ---: | ---: | ---: |');
  const row = (name: string, r: { heapMb: number; outsideMb: number; gcMedianMs: number; gcMaxMs: number }, ms: string) =>
    console.log(`| ${name} | ${f(r.heapMb)} | ${f(r.outsideMb)} | ${f(r.gcMedianMs)} / ${f(r.gcMaxMs)} | ${ms} |`);
  row('array of objects (the baseline: before)', result.objects, `${f(buildMs)} (the objects)`);
  row('packed (track-list.ts)', result.packed, `${f(packMs)} (packing them)`);
  console.log(
    `full GC pause ${f(result.objects.gcMedianMs / result.packed.gcMedianMs)}× shorter packed; a query's 20 results decoded in ${f(decodeUs)} µs`,
  );
}
