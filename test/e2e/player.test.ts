// End to end: the player in real Chromium against `cadenza serve`. Loudness levelling sets the gain
// node to the stored gain (track, then album mode); a continuous tone split into three FLAC files plays
// back with no gap and no sample discontinuity at the joins (the graph's output recorded at the
// destination); the queue controls (shuffle and its undo, repeat, play next, add, reorder, remove), the
// queue kept across a reload, keyboard shortcuts, the Media Session and cover art.
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireFfmpeg } from '../fixtures/library/make-library.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { BIN, launchChromium, recordPageErrors, SHOTS, shot, startServe, stopServe } from './harness.ts';

const TONE_HZ = 441;
/** The tone's amplitude as ffmpeg's sine source writes it. */
const TONE_AMPLITUDE = 1 / 8;
/**
 * Three parts of unequal, non-period lengths (seconds): a join at any phase. Each of the first two lasts
 * over 3 s because the next part is decoded while it plays: on the loaded CI machine a 1.61-s part once
 * ended before the next one had decoded, which started 2–3 ms late (a real gap, but a machine's, not
 * the engine's: a real track leaves minutes).
 */
const PARTS = [3.37, 3.61, 2.29];
const TRACK_GAIN_DB = -3;
const ALBUM_GAIN_DB = -4.5;
/**
 * The unrelated tracks' length: the engine starts decoding the next track when it is queued, and a
 * loaded machine (the suite beside other e2e files) can take over 1.5 s to fetch and decode it, which
 * made a 2.5-s track's crossfade start late; 4 s leaves room.
 */
const ALPHA_SECONDS = 4;

/** The AudioWorklet module of the recorder's tap (4096-frame blocks, each with its first frame). */
const TAP_MODULE = `registerProcessor('cadenza-test-tap', class extends AudioWorkletProcessor {
  constructor() { super(); this.buf = new Float32Array(4096); this.n = 0; this.at = 0; }
  process(inputs) {
    const x = inputs[0] && inputs[0][0];
    if (this.n === 0) this.at = currentFrame;
    if (x) this.buf.set(x, this.n);
    this.n += 128;
    if (this.n === 4096) { this.port.postMessage({ frame: this.at, end: currentFrame, d: this.buf }); this.buf = new Float32Array(4096); this.n = 0; }
    return true;
  }
});`;

/**
 * Installed before the app loads: every GainNode the page makes is kept (so the test reads what
 * levelling set), and whatever connects to the destination is also recorded (channel 0) by an
 * AudioWorklet tap. The tap runs on the audio rendering thread and sends each 4096-frame block with its
 * frame number on the audio clock, so a busy main thread delays the messages but never loses or moves a
 * sample (the ScriptProcessor it replaces dropped and shifted blocks under load: a crossfade read 0.5 s
 * long). Every source start is kept too (when, on the audio clock), for the failure messages.
 */
const RECORDER = `(() => {
  const gains = (window.__gains = []);
  const rec = (window.__rec = { rate: 0, blocks: [], starts: [] });
  const createGain = BaseAudioContext.prototype.createGain;
  BaseAudioContext.prototype.createGain = function () {
    const node = createGain.call(this);
    gains.push(node);
    return node;
  };
  const start = AudioBufferSourceNode.prototype.start;
  AudioBufferSourceNode.prototype.start = function (when, ...rest) {
    rec.starts.push({ when: when ?? 0, now: this.context.currentTime });
    return start.call(this, when, ...rest);
  };
  const moduleUrl = URL.createObjectURL(new Blob([${JSON.stringify(TAP_MODULE)}], { type: 'text/javascript' }));
  const loaded = new WeakMap();
  const connect = AudioNode.prototype.connect;
  AudioNode.prototype.connect = function (target, ...rest) {
    const out = connect.call(this, target, ...rest);
    if (target instanceof AudioDestinationNode && !this.__recorded) {
      this.__recorded = true;
      const ctx = this.context;
      rec.rate = ctx.sampleRate;
      if (!loaded.has(ctx)) loaded.set(ctx, ctx.audioWorklet.addModule(moduleUrl));
      const ready = loaded.get(ctx).then(() => {
        const tap = new AudioWorkletNode(ctx, 'cadenza-test-tap', { channelCount: 1, channelCountMode: 'explicit' });
        tap.port.onmessage = (e) => rec.blocks.push({ frame: e.data.frame, end: e.data.end, d: Array.from(e.data.d) });
        connect.call(this, tap);
        connect.call(tap, ctx.destination);
      });
      // The engine awaits resume() before it starts a track: so the tap listens from the first sample.
      const resume = ctx.resume;
      ctx.resume = () => ready.then(() => resume.call(ctx));
    }
    return out;
  };
})();`;

interface Recording {
  rate: number;
  /** The tap's blocks: `frame` is the audio clock at the block's first quantum, `end` at its last. */
  blocks: { frame: number; end: number; d: number[] }[];
  starts: { when: number; now: number }[];
}

/**
 * What makes a recording unfaithful, as sentences (none: every sample is where the audio clock put it).
 * The tap's first blocks may straddle its connection (the graph pulls it only from then on) and are
 * dropped; every other block must span exactly its 32 quanta and follow the one before, and recording
 * must have begun before the first track started. A block that spans more quanta than it holds means the
 * rendering thread skipped quanta: Chromium's audio thread missed its deadline (the whole graph stops for
 * the missed time, as peers report), which says nothing of the player but makes the recording useless.
 */
function recorderFaults(recording: Recording): { faults: string[]; blocks: Recording['blocks'] } {
  const blocks = [...recording.blocks].sort((a, b) => a.frame - b.frame);
  while (blocks.length > 0 && blocks[0]!.end - blocks[0]!.frame !== blocks[0]!.d.length - 128) blocks.shift();
  if (blocks.length === 0) return { faults: ['the tap recorded nothing'], blocks };
  const faults: string[] = [];
  blocks.forEach((block, i) => {
    const skipped = (block.end - block.frame - (block.d.length - 128)) / 128;
    if (skipped !== 0) faults.push(`block ${i} at frame ${block.frame} skipped ${skipped} quanta`);
    const step = i > 0 ? block.frame - blocks[i - 1]!.frame : block.d.length;
    if (step !== block.d.length)
      faults.push(`block ${i} at frame ${block.frame} is ${step - block.d.length} frames after the one before`);
  });
  const firstStart = recording.starts[0]?.when ?? Infinity;
  if (blocks[0]!.frame / recording.rate >= firstStart)
    faults.push(`the tap began at ${blocks[0]!.frame / recording.rate} s, after the first start (${firstStart} s)`);
  return { faults, blocks };
}

function ffmpeg(...args: string[]): void {
  const made = spawnSync(requireFfmpeg(), ['-v', 'error', '-y', ...args]);
  expect(made.status, String(made.stderr)).toBe(0);
}

describe('the player in Chromium', () => {
  let server: { child: ChildProcess; url: string } | undefined;
  let browser: Browser;
  let page: Page;
  let rate: number;
  const errors: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    // The recorder's worklet module is a blob: URL, which the app's CSP (scripts from 'self' only) refuses,
    // and Playwright's routes do not reach worklet fetches; so this page alone runs without the CSP (the
    // other e2e files check that the app raises no CSP violation).
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, bypassCSP: true });
    // The tone is made at the rate the page's audio runs at, so no resampler touches the joins.
    rate = (await page.evaluate('new AudioContext().sampleRate')) as number;
    const music = path.join(tempDir(), 'music');
    // The tone's album has a folder image (cover.png); the other tracks have no art.
    fs.mkdirSync(path.join(music, 'tone'), { recursive: true });
    ffmpeg('-f', 'lavfi', '-i', 'color=c=0x3366cc:s=64x64', '-frames:v', '1', path.join(music, 'tone', 'cover.png'));
    const whole = path.join(tempDir(), 'tone.wav');
    const total = PARTS.reduce((a, b) => a + b, 0);
    ffmpeg(
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=${TONE_HZ}:sample_rate=${rate}:duration=${total + 0.5}`,
      '-c:a',
      'pcm_s16le',
      whole,
    );
    let start = 0;
    PARTS.forEach((seconds, i) => {
      const from = Math.round(start * rate);
      const to = Math.round((start + seconds) * rate);
      start += seconds;
      ffmpeg(
        '-i',
        whole,
        '-af',
        `atrim=start_sample=${from}:end_sample=${to}`,
        '-metadata',
        `title=Tone part ${i + 1}`,
        '-metadata',
        'artist=Tone Band',
        '-metadata',
        'album=Tone Album',
        '-metadata',
        `track=${i + 1}`,
        '-metadata',
        'genre=Drone',
        '-metadata',
        `REPLAYGAIN_TRACK_GAIN=${TRACK_GAIN_DB.toFixed(2)} dB`,
        '-metadata',
        'REPLAYGAIN_TRACK_PEAK=0.125',
        '-metadata',
        `REPLAYGAIN_ALBUM_GAIN=${ALBUM_GAIN_DB.toFixed(2)} dB`,
        '-metadata',
        'REPLAYGAIN_ALBUM_PEAK=0.125',
        '-c:a',
        'flac',
        path.join(music, 'tone', `tone-${i + 1}.flac`),
      );
    });
    // Four short tracks for the queue controls (sorted before the tone parts).
    for (let i = 1; i <= 4; i++) {
      ffmpeg(
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=${200 + 50 * i}:duration=${ALPHA_SECONDS}`,
        '-metadata',
        `title=Alpha ${i}`,
        '-metadata',
        'artist=Alpha Band',
        '-metadata',
        `genre=${i % 2 ? 'Sine' : 'sine'}`,
        '-c:a',
        'flac',
        path.join(music, `alpha-${i}.flac`),
      );
    }
    const dataDir = path.join(tempDir(), 'data');
    const scan = spawnSync(process.execPath, [BIN, 'scan', music, '--data-dir', dataDir, '--json'], {
      encoding: 'utf8',
      env: { ...process.env, CADENZA_DATA_DIR: '' },
    });
    expect(scan.status, scan.stderr).toBe(0);
    server = await startServe(dataDir);
    await page.addInitScript(RECORDER);
    recordPageErrors(page, errors);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stopServe(server);
  });

  /**
   * Plays (`play` returns once the output has gone quiet) and returns the recording's samples. When the
   * recording itself is unfaithful (see recorderFaults: the audio thread skipped quanta under load), it
   * says so and plays once more; a second unfaithful recording fails the test with what was skipped.
   */
  const recordPlayback = async (play: (attempt: number) => Promise<void>): Promise<number[]> => {
    for (let attempt = 1; ; attempt++) {
      await page.evaluate('window.__rec.blocks.length = 0; window.__rec.starts.length = 0');
      await play(attempt);
      await page.waitForTimeout(1000); // the recorder's last blocks
      const recording = (await page.evaluate('window.__rec')) as Recording;
      expect(recording.rate).toBe(rate);
      const { faults, blocks } = recorderFaults(recording);
      if (faults.length === 0) return blocks.flatMap((b) => b.d);
      if (attempt === 2) expect(faults, 'the recording was unfaithful twice').toEqual([]);
      console.warn(`the recording is unfaithful (${faults.join('; ')}): playing it again`);
    }
  };

  /**
   * How late each start after the first came on the audio clock (ms) against back to back with the one
   * before: zero when every part was decoded and scheduled before its predecessor ended.
   */
  const lateJoins = async (lengths: number[]): Promise<number[]> => {
    const starts = ((await page.evaluate('window.__rec.starts')) as Recording['starts']).map((s) => s.when);
    expect(starts.length, 'one start per part').toBe(lengths.length);
    return starts.slice(1).map((when, i) => (when - (starts[i]! + lengths[i]!)) * 1000);
  };

  const gainValues = () => page.evaluate('window.__gains.map((g) => g.gain.value)') as Promise<number[]>;
  const nowPlaying = () => page.getByRole('contentinfo', { name: 'Now playing' });

  it('levels by the stored gain (track, album) and plays the three parts with no gap or click', async () => {
    await page.goto(server!.url);
    const grid = page.getByRole('grid', { name: 'Library' });
    await expect.poll(() => grid.getAttribute('aria-rowcount'), { timeout: 30_000 }).toBe('8');
    const trackFactor = 10 ** (TRACK_GAIN_DB / 20);
    const samples = await recordPlayback(async (attempt) => {
      await page.getByRole('button', { name: 'Play Tone part 1', exact: true }).click();
      if (attempt === 1) {
        await expect.poll(() => nowPlaying().locator('strong').textContent(), { timeout: 15_000 }).toBe('Tone part 1');
        // Track mode (the default): the level gain is the track's ReplayGain.
        await expect.poll(async () => (await gainValues()).some((v) => Math.abs(v - trackFactor) < 1e-4)).toBe(true);
        await expect.poll(() => page.getByTestId('level').textContent()).toContain('Level −3.0 dB (track, tags)');
        await expect.poll(() => page.getByTestId('level').textContent()).toContain('gapless');
        // The album's folder image: in now playing, the queue and the Media Session.
        const art = nowPlaying().getByTestId('cover-art');
        await expect.poll(() => art.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(64);
        expect(await page.getByRole('list', { name: 'Queued tracks' }).getByTestId('cover-art').count()).toBe(3);
        expect(await page.evaluate('navigator.mediaSession.metadata.artwork[0].src')).toMatch(/\/art\/\d+$/);
        await shot(page, 'player-now-playing-art');
      }
      // Wait for the three parts to play out, then read the recording.
      await expect.poll(() => nowPlaying().locator('strong').textContent(), { timeout: 15_000 }).toBe('Tone part 3');
      await expect.poll(() => page.getByRole('button', { name: 'Play', exact: true }).count(), { timeout: 15_000 }).toBe(1);
    });
    // Each part was scheduled at the sample where the one before ends (a late one would leave a gap).
    for (const late of await lateJoins(PARTS))
      expect(Math.abs(late), `a part started ${late.toFixed(3)} ms late`).toBeLessThan(0.05);
    const loud = (x: number) => Math.abs(x) > 0.002;
    const first = samples.findIndex(loud);
    let last = samples.length - 1;
    while (last > first && !loud(samples[last]!)) last--;
    expect(first, 'the tone was heard').toBeGreaterThanOrEqual(0);
    const volume = 0.8; // the default
    const amplitude = TONE_AMPLITUDE * trackFactor * volume;
    const heard = samples.slice(first, last + 1);
    const peak = heard.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    expect(peak / amplitude).toBeGreaterThan(0.95);
    expect(peak / amplitude).toBeLessThan(1.05);
    // Sounding time = the three parts back to back (a gap anywhere would lengthen it).
    const expectedSamples = Math.round(PARTS.reduce((a, b) => a + b, 0) * rate); // the parts' sample ranges tile [0, this)
    const soundingMs = (heard.length / rate) * 1000;
    expect(Math.abs(soundingMs - (expectedSamples / rate) * 1000), `sounding ${soundingMs.toFixed(2)} ms`).toBeLessThan(5);
    // No window of 3 ms without the tone's peak (a gap of about 2 ms or more anywhere fails this).
    const window = Math.round(0.003 * rate);
    let weakest = Infinity;
    for (let i = 0; i + window <= heard.length - window; i += Math.round(window / 3)) {
      let m = 0;
      for (let j = i; j < i + window; j++) m = Math.max(m, Math.abs(heard[j]!));
      weakest = Math.min(weakest, m);
    }
    expect(weakest / amplitude, 'the quietest 3 ms window').toBeGreaterThan(0.8);
    // No step between samples beyond the sine's own steepest one (plus 16-bit rounding).
    const steepest = 2 * amplitude * Math.sin((Math.PI * TONE_HZ) / rate);
    let jump = 0;
    for (let i = 1; i < heard.length; i++) jump = Math.max(jump, Math.abs(heard[i]! - heard[i - 1]!));
    expect(jump, `largest sample step ${jump} vs the tone's ${steepest}`).toBeLessThan(steepest * 1.02 + 1e-4);
    console.log(
      `gapless: ${PARTS.length} parts, sounding ${soundingMs.toFixed(2)} ms for ${((expectedSamples / rate) * 1000).toFixed(2)} ms of audio, ` +
        `largest step ${(jump / steepest).toFixed(4)} × the tone's, quietest 3-ms window ${(weakest / amplitude).toFixed(3)} × its peak`,
    );

    // Album mode: the same track plays at the album's gain.
    await page.getByRole('combobox', { name: 'Loudness levelling' }).selectOption('album');
    await page.getByRole('button', { name: 'Play Tone part 2', exact: true }).click();
    const albumFactor = 10 ** (ALBUM_GAIN_DB / 20);
    await expect.poll(async () => (await gainValues()).some((v) => Math.abs(v - albumFactor) < 1e-4)).toBe(true);
    await expect.poll(() => page.getByTestId('level').textContent()).toContain('Level −4.5 dB (album, tags)');
    // Crossfade and levelling settings, as the listener sees them.
    await page.getByRole('slider', { name: 'Crossfade (seconds)' }).fill('4');
    await expect.poll(() => page.getByTestId('crossfade-value').textContent()).toBe('4 s');
    await shot(page, 'player-levelling-crossfade-settings');
    await page.getByRole('slider', { name: 'Crossfade (seconds)' }).fill('0');
    await page.getByRole('combobox', { name: 'Loudness levelling' }).selectOption('track');
    expect(errors).toEqual([]);
  }, 120_000);

  const queueTitles = () =>
    page.getByRole('list', { name: 'Queued tracks' }).locator('li .name span:first-child').allTextContents();
  const currentTitle = () =>
    page.locator('[aria-label="Queued tracks"] li[aria-current="true"] .name span:first-child').textContent();

  it('shuffle keeps the current track and is undone; play next, add, reorder, remove, repeat; the queue survives a reload', async () => {
    await page.getByRole('button', { name: 'Play Alpha 1', exact: true }).click();
    // "Play from here" queues the table's rows from this one on, in the table's order.
    await expect.poll(async () => (await queueTitles()).length).toBeGreaterThanOrEqual(4);
    const inOrder = await queueTitles();
    expect(inOrder[0]).toBe('Alpha 1');
    await expect.poll(currentTitle).toBe('Alpha 1');

    // Shuffle: the current track stays current (first), every track stays once; again: the order is back.
    const shuffle = page.getByRole('button', { name: 'Shuffle', exact: true });
    let order = inOrder;
    for (let attempt = 0; attempt < 5 && order.join() === inOrder.join(); attempt++) {
      if ((await shuffle.getAttribute('aria-pressed')) === 'true') await shuffle.click();
      await shuffle.click();
      order = await queueTitles();
    }
    expect(await shuffle.getAttribute('aria-pressed')).toBe('true');
    expect(order).not.toEqual(inOrder);
    expect(order[0]).toBe('Alpha 1');
    expect([...order].sort()).toEqual([...inOrder].sort());
    expect(await currentTitle()).toBe('Alpha 1');
    await shuffle.click();
    await expect.poll(queueTitles).toEqual(inOrder);
    expect(await currentTitle()).toBe('Alpha 1');

    // Play next goes right after the current track; add to queue goes to the end.
    await page.getByRole('button', { name: 'Play next: Tone part 3', exact: true }).click();
    await expect.poll(queueTitles).toEqual(['Alpha 1', 'Tone part 3', ...inOrder.slice(1)]);
    await page.getByRole('button', { name: 'Add Alpha 3 to the queue', exact: true }).click();
    await expect.poll(queueTitles).toEqual(['Alpha 1', 'Tone part 3', ...inOrder.slice(1), 'Alpha 3']);
    // Reorder and remove.
    await page.getByRole('button', { name: 'Move Tone part 3 down', exact: true }).first().click();
    await expect.poll(queueTitles).toEqual([inOrder[0], inOrder[1], 'Tone part 3', ...inOrder.slice(2), 'Alpha 3']);
    const queue = page.getByRole('list', { name: 'Queued tracks' });
    await queue.locator('li').last().getByRole('button', { name: 'Remove Alpha 3 from the queue' }).click();
    await expect.poll(queueTitles).toEqual([inOrder[0], inOrder[1], 'Tone part 3', ...inOrder.slice(2)]);

    // Repeat one: the short track plays again at its end instead of moving on.
    const repeat = page.getByRole('button', { name: /^Repeat/ });
    await repeat.click();
    expect(await repeat.getAttribute('data-repeat')).toBe('all');
    await repeat.click();
    expect(await repeat.getAttribute('data-repeat')).toBe('one');
    await page.getByRole('button', { name: 'Play Alpha 1 from the queue', exact: true }).click();
    const seek = page.getByRole('slider', { name: 'Seek' });
    await expect.poll(async () => Number(await seek.inputValue()), { timeout: 10_000 }).toBeGreaterThan(1.5);
    await expect.poll(async () => Number(await seek.inputValue()), { timeout: 10_000 }).toBeLessThan(1);
    expect(await currentTitle()).toBe('Alpha 1');
    await repeat.click();
    expect(await repeat.getAttribute('data-repeat')).toBe('off');
    // Then it moves on to the next one by itself.
    await expect.poll(currentTitle, { timeout: 10_000 }).toBe(inOrder[1]);
    await shot(page, 'player-queue');

    // Pause, reload: the same queue, the same current track, paused where it was.
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    const position = Number(await seek.inputValue());
    await page.waitForTimeout(1500); // the queue is saved a moment after a change
    await page.reload();
    await expect.poll(queueTitles, { timeout: 15_000 }).toEqual([inOrder[0], inOrder[1], 'Tone part 3', ...inOrder.slice(2)]);
    expect(await currentTitle()).toBe(inOrder[1]);
    expect(Math.abs(Number(await seek.inputValue()) - position)).toBeLessThan(0.3);
    expect(await repeat.getAttribute('data-repeat')).toBe('off');
    expect(errors).toEqual([]);
  }, 120_000);

  it('keyboard shortcuts (not while typing) and the Media Session follow the player', async () => {
    await page.getByRole('button', { name: 'Play Alpha 1', exact: true }).click();
    await expect.poll(currentTitle).toBe('Alpha 1');
    const second = (await queueTitles())[1]!;
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('n');
    await expect.poll(currentTitle).toBe(second);
    await expect
      .poll(() => page.evaluate('navigator.mediaSession.metadata && navigator.mediaSession.metadata.title'))
      .toBe(second);
    expect(await page.evaluate('navigator.mediaSession.metadata.artist')).toBe(
      second.startsWith('Alpha') ? 'Alpha Band' : 'Tone Band',
    );
    await page.keyboard.press(' ');
    await expect.poll(() => page.getByRole('button', { name: 'Play', exact: true }).count()).toBe(1);
    await expect.poll(() => page.evaluate('navigator.mediaSession.playbackState')).toBe('paused');
    await page.keyboard.press(' ');
    await expect.poll(() => page.evaluate('navigator.mediaSession.playbackState')).toBe('playing');
    // Typed into a field, the same keys are text.
    const search = page.getByRole('searchbox').first();
    await search.fill('');
    await search.press('n');
    expect(await currentTitle()).toBe(second);
    await search.fill('');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('p');
    await expect.poll(currentTitle).toBe('Alpha 1');
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect.poll(() => help.isVisible()).toBe(true);
    expect(await help.textContent()).toContain('Play / pause');
    await shot(page, 'player-shortcuts');
    await page.keyboard.press('Escape');
    await expect.poll(() => help.isVisible()).toBe(false);

    // Endless play asks the recommendations for more before the queue's end (this library has no
    // trained model, so the answer is the API's error, shown; the filled queue is not checked here).
    const endless = page.getByRole('button', { name: 'Endless play', exact: true });
    await endless.click();
    expect(await endless.getAttribute('aria-pressed')).toBe('true');
    await expect
      .poll(() => nowPlaying().getByRole('alert').textContent(), { timeout: 10_000 })
      .toMatch(/^Endless play: .*no trained model yet/);
    await endless.click();
    expect(errors).toEqual([]);
  }, 60_000);

  it('crossfades between unrelated tracks, never between an album’s tracks in order', async () => {
    await page.getByRole('slider', { name: 'Crossfade (seconds)' }).fill('1');
    await expect.poll(() => page.getByTestId('crossfade-value').textContent()).toBe('1 s');
    /** Plays exactly these tracks from a fresh queue and returns how long the output sounded (s). */
    const soundingFor = async (titles: string[]) => {
      await page.getByRole('button', { name: 'Clear', exact: true }).click();
      for (const title of titles) await page.getByRole('button', { name: `Add ${title} to the queue`, exact: true }).click();
      await expect.poll(queueTitles).toEqual(titles);
      const samples = await recordPlayback(async () => {
        await page.getByRole('button', { name: `Play ${titles[0]} from the queue`, exact: true }).click();
        await expect.poll(currentTitle, { timeout: 15_000 }).toBe(titles.at(-1));
        await expect.poll(() => page.getByRole('button', { name: 'Play', exact: true }).count(), { timeout: 15_000 }).toBe(1);
      });
      const first = samples.findIndex((x) => Math.abs(x) > 0.002);
      let last = samples.length - 1;
      while (last > first && Math.abs(samples[last]!) <= 0.002) last--;
      return (last - first + 1) / rate;
    };
    // Two tracks of no album: they overlap by the crossfade's second.
    const faded = await soundingFor(['Alpha 1', 'Alpha 2']);
    // (The first and last few samples of a sine at its start are below the loudness threshold: 10 ms.)
    expect(Math.abs(faded - (2 * ALPHA_SECONDS - 1)) * 1000, `sounding ${faded.toFixed(4)} s`).toBeLessThan(10);
    // The album's parts in track order join back to back, crossfade or not.
    const album = await soundingFor(['Tone part 1', 'Tone part 2', 'Tone part 3']);
    const total = PARTS.reduce((a, b) => a + b, 0);
    expect(Math.abs(album - total) * 1000, `sounding ${album.toFixed(4)} s`).toBeLessThan(5);
    console.log(
      `crossfade 1 s: two ${ALPHA_SECONDS}-s tracks sounded ${faded.toFixed(3)} s; the album in order ${album.toFixed(4)} s of ${total.toFixed(2)} s`,
    );
    await page.getByRole('slider', { name: 'Crossfade (seconds)' }).fill('0');
    expect(errors).toEqual([]);
  }, 90_000);

  it('browses by album: a grid with covers, the album page in track order, play it', async () => {
    await page.getByRole('tab', { name: 'Albums' }).click();
    const card = page.getByRole('button', { name: 'Tone Album by Tone Band', exact: true });
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    await expect
      .poll(() => card.getByTestId('cover-art').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(64);
    await shot(page, 'player-album-grid');
    await card.click();
    const tracks = page.getByRole('list', { name: 'Tracks of Tone Album' });
    await expect
      .poll(() => tracks.getByRole('button').allTextContents())
      .toEqual([
        expect.stringContaining('Tone part 1'),
        expect.stringContaining('Tone part 2'),
        expect.stringContaining('Tone part 3'),
      ]);
    await shot(page, 'player-album-page');
    await page.getByRole('button', { name: 'Play album', exact: true }).click();
    await expect.poll(queueTitles).toEqual(['Tone part 1', 'Tone part 2', 'Tone part 3']);
    await expect.poll(currentTitle).toBe('Tone part 1');
    await page.getByRole('button', { name: 'All albums', exact: true }).click();
    await page.getByRole('tab', { name: 'Library' }).click();
    expect(errors).toEqual([]);
  }, 60_000);

  it('browses by artist (their albums and tracks) and by genre (any case is one genre), and plays from there', async () => {
    await page.getByRole('tab', { name: 'Artists' }).click();
    const names = page.getByRole('list', { name: 'Artists list' }).getByRole('button');
    await expect
      .poll(() => names.allTextContents(), { timeout: 10_000 })
      .toEqual([expect.stringMatching(/^Alpha Band\s*4 tracks$/), expect.stringMatching(/^Tone Band\s*1 album · 3 tracks$/)]);
    await page.getByRole('searchbox', { name: 'Search artists' }).fill('tone');
    await expect.poll(() => names.count()).toBe(1);
    await page.getByRole('button', { name: 'Open Tone Band', exact: true }).click();
    const tracks = page.getByRole('list', { name: 'Tracks of Tone Band' }).getByRole('button');
    await expect
      .poll(() => tracks.allTextContents())
      .toEqual([
        expect.stringContaining('Tone part 1'),
        expect.stringContaining('Tone part 2'),
        expect.stringContaining('Tone part 3'),
      ]);
    const albumCard = page
      .getByRole('list', { name: 'Albums of Tone Band' })
      .getByRole('button', { name: 'Open album Tone Album' });
    await expect.poll(() => albumCard.count()).toBe(1);
    await shot(page, 'player-artist-page');
    await page.getByRole('button', { name: 'Play all', exact: true }).click();
    await expect.poll(queueTitles).toEqual(['Tone part 1', 'Tone part 2', 'Tone part 3']);
    // The artist's album card opens that album's own page.
    await albumCard.click();
    await expect.poll(() => page.getByRole('list', { name: 'Tracks of Tone Album' }).getByRole('button').count()).toBe(3);
    await page.getByRole('button', { name: 'All albums', exact: true }).click();

    await page.getByRole('tab', { name: 'Genres' }).click();
    const genres = page.getByRole('list', { name: 'Genres list' }).getByRole('button');
    await expect
      .poll(() => genres.allTextContents(), { timeout: 10_000 })
      .toEqual([expect.stringMatching(/^Drone\s*1 album · 3 tracks$/), expect.stringMatching(/^Sine\s*4 tracks$/i)]);
    await page.getByRole('button', { name: /^Open sine$/i }).click();
    const sine = page.getByRole('list', { name: /^Tracks of sine$/i }).getByRole('button');
    await expect.poll(() => sine.allTextContents()).toEqual([1, 2, 3, 4].map((i) => expect.stringContaining(`Alpha ${i}`)));
    await shot(page, 'player-genre-page');
    await page.getByRole('button', { name: 'Add all to queue', exact: true }).click();
    await expect
      .poll(queueTitles)
      .toEqual(['Tone part 1', 'Tone part 2', 'Tone part 3', 'Alpha 1', 'Alpha 2', 'Alpha 3', 'Alpha 4']);
    await page.getByRole('tab', { name: 'Library' }).click();
    expect(errors).toEqual([]);
  }, 60_000);
});
