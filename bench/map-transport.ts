// `npm run bench:map -- [--tracks 100000] [--runs 6]`: what answering the map costs the host's main thread
// (issue 12: "the map's JSON on the main thread"). A real SQLite library of N tracks with a model; the
// app service answers `model.map` for a transport, and the host's event-loop stall is measured (a 2-ms
// timer's worst lateness) beside the call's wall time. Baseline in the same run: the host's old work for
// the same answer (the worker's typed arrays unpacked into arrays, then the result serialised).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resultBody, type JsonText } from '../src-main/api/contract.ts';
import { AppService } from '../src-main/core/app/app-service.ts';
import { openLibraryDatabase } from '../src-main/core/db/open.ts';
import { seedUiLibrary } from './ui-library.ts';

const { values } = parseArgs({
  options: { tracks: { type: 'string', default: '100000' }, runs: { type: 'string', default: '6' } },
});
const tracks = Number(values.tracks);
const runs = Number(values.runs);

/** Runs `work` while a 2-ms timer ticks: the work's wall time and the timer's worst lateness (the stall). */
async function stallOf(work: () => Promise<unknown> | unknown): Promise<{ wallMs: number; stallMs: number }> {
  let worst = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 2);
    last = now;
  }, 2);
  const t = performance.now();
  await work();
  const wallMs = performance.now() - t;
  await new Promise((resolve) => setTimeout(resolve, 10));
  clearInterval(timer);
  return { wallMs, stallMs: Math.max(0, worst) };
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadenza-bench-map-'));
  const db = openLibraryDatabase(dataDir);
  seedUiLibrary(db, dataDir, tracks);
  db.close();
  const app = new AppService(dataDir, () => {}, { mode: 'browser', version: 'bench' });
  try {
    app.open();
    await app.handleForTransport('model.map', { topics: [] }); // the index and the projection, once
    const now: { wallMs: number; stallMs: number }[] = [];
    const before: { wallMs: number; stallMs: number }[] = [];
    let bytes = 0;
    for (let r = 0; r < runs; r++) {
      let answer: unknown;
      now.push(
        await stallOf(async () => {
          answer = await app.handleForTransport('model.map', { topics: r % 2 ? [1] : [] });
          bytes = resultBody({ ok: true, value: answer }).length;
        }),
      );
      // The old host's work for the same answer, from the typed arrays the worker used to send.
      const map = JSON.parse((answer as JsonText).text) as { ids: number[]; xy: number[]; topics: number[] };
      const packed = { ...map, ids: Int32Array.from(map.ids), xy: Int32Array.from(map.xy), topics: Int32Array.from(map.topics) };
      before.push(
        await stallOf(() => {
          const unpacked = {
            ...packed,
            ids: Array.from(packed.ids),
            xy: Array.from(packed.xy),
            topics: Array.from(packed.topics),
          };
          return JSON.stringify({ ok: true, value: unpacked }).length;
        }),
      );
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const worst = (xs: number[]) => Math.max(...xs);
    const nowStall = now.map((x) => x.stallMs);
    const beforeStall = before.map((x) => x.stallMs);
    console.log(
      `model.map at ${tracks} tracks, ${(bytes / 1e6).toFixed(2)} MB, ${runs} calls (2 cores, Node ${process.version}):`,
    );
    console.log(`| | call wall median | host stall median / worst |`);
    console.log(`| --- | ---: | ---: |`);
    console.log(
      `| now: the worker writes the JSON, the host passes the text | ${med(now.map((x) => x.wallMs)).toFixed(1)} ms | ${med(nowStall).toFixed(1)} / ${worst(nowStall).toFixed(1)} ms |`,
    );
    console.log(
      `| baseline: the host unpacks the typed arrays and writes the JSON | | ${med(beforeStall).toFixed(1)} / ${worst(beforeStall).toFixed(1)} ms |`,
    );
    console.log(`stall ratio (baseline / now, medians): ${(med(beforeStall) / Math.max(0.1, med(nowStall))).toFixed(1)}×`);
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

void main().then(() => process.exit(0));
