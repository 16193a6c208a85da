import { describe, expect, it } from 'vitest';
import { API_METHODS, type ApiMethod } from './contract.ts';
import { dispatchCall } from './dispatch.ts';
import { InvalidRequestError, isApiMethod, validateRequest } from './validate.ts';

/** For every method: requests that must pass (and what they become) and requests that must be refused. */
const CASES: { [M in ApiMethod]: { good: [unknown, unknown][]; bad: unknown[] } } = {
  'app.info': {
    good: [
      [null, null],
      [undefined, null],
    ],
    bad: [{}, 1],
  },
  'library.summary': { good: [[null, null]], bad: [{ sneaky: 1 }, 'x'] },
  'library.scan': {
    good: [
      [{ folders: ['/music'] }, { folders: ['/music'] }],
      [{ folders: [] }, { folders: [] }],
      [{ folders: ['C:\\Music', '\\\\nas\\share'] }, { folders: ['C:\\Music', '\\\\nas\\share'] }],
    ],
    bad: [
      { folders: ['relative/path'] },
      { folders: ['/a\0b'] },
      { folders: '/music' },
      { folders: Array(65).fill('/m') },
      'nope',
      { folders: ['/m'], extra: 1 },
    ],
  },
  'library.cancelScan': { good: [[null, null]], bad: [{}] },
  'library.removeFolder': {
    good: [[{ folder: '/music' }, { folder: '/music' }]],
    bad: [{ folder: 'music' }, { folder: 3 }, {}, null],
  },
  'tracks.list': {
    good: [
      [
        { offset: 0, limit: 50 },
        { offset: 0, limit: 50 },
      ],
      [
        {
          offset: 100,
          limit: 500,
          search: 'rain',
          sort: { key: 'year', dir: 'desc' },
          filter: { formats: ['mp3'], genres: ['Jazz'], topics: [1, 7], availability: 'available' },
        },
        {
          offset: 100,
          limit: 500,
          search: 'rain',
          sort: { key: 'year', dir: 'desc' },
          filter: { formats: ['mp3'], genres: ['Jazz'], topics: [1, 7], availability: 'available' },
        },
      ],
    ],
    bad: [
      { offset: -1, limit: 10 },
      { offset: 0, limit: 0 },
      { offset: 0, limit: 501 },
      { offset: 0.5, limit: 10 },
      { offset: 0, limit: 10, sort: { key: 'path; DROP TABLE tracks', dir: 'asc' } },
      { offset: 0, limit: 10, sort: { key: 'title', dir: 'up' } },
      { offset: 0, limit: 10, filter: { topics: [0] } },
      { offset: 0, limit: 10, filter: { availability: 'maybe' } },
      { offset: 0, limit: 10, filter: { formats: 'mp3' } },
      { offset: 0, limit: 10, search: 'x'.repeat(501) },
      { offset: 0, limit: 10, columns: ['*'] },
      null,
    ],
  },
  'tracks.get': {
    good: [
      [{ ids: [1, 2] }, { ids: [1, 2] }],
      [{ ids: [] }, { ids: [] }],
    ],
    bad: [{ ids: [0] }, { ids: ['1'] }, { ids: Array(1001).fill(1) }, {}],
  },
  'tracks.facets': { good: [[null, null]], bad: [{ x: 1 }] },
  'analysis.start': { good: [[null, null]], bad: [{ workers: 99 }] },
  'analysis.cancel': { good: [[null, null]], bad: [[]] },
  'topics.fit': {
    good: [
      [null, {}],
      [{}, {}],
      [
        { k: 7, seed: 42, sweeps: 300 },
        { k: 7, seed: 42, sweeps: 300 },
      ],
    ],
    bad: [{ k: 0 }, { k: 101 }, { sweeps: 1.5 }, { seed: -1 }, { alpha: 1 }, 'fit'],
  },
  'topics.cancel': { good: [[null, null]], bad: [{}] },
  'topics.show': { good: [[null, null]], bad: [0] },
  'jobs.status': { good: [[null, null]], bad: [{}] },
  'albums.list': {
    good: [
      [
        { offset: 0, limit: 100 },
        { offset: 0, limit: 100 },
      ],
      [
        { offset: 200, limit: 50, search: 'blue' },
        { offset: 200, limit: 50, search: 'blue' },
      ],
      [
        { offset: 0, limit: 50, artist: 'Joni' },
        { offset: 0, limit: 50, artist: 'Joni' },
      ],
    ],
    bad: [
      { offset: -1, limit: 10 },
      { offset: 0, limit: 501 },
      { offset: 0, limit: 10, search: 3 },
      { offset: 0, limit: 10, sort: 'year' },
      { offset: 0, limit: 10, artist: null },
      null,
    ],
  },
  'browse.groups': {
    good: [
      [
        { by: 'artist', offset: 0, limit: 100 },
        { by: 'artist', offset: 0, limit: 100 },
      ],
      [
        { by: 'genre', offset: 10, limit: 5, search: 'jazz' },
        { by: 'genre', offset: 10, limit: 5, search: 'jazz' },
      ],
    ],
    bad: [
      { by: 'year', offset: 0, limit: 10 },
      { offset: 0, limit: 10 },
      { by: 'artist', offset: 0, limit: 0 },
      { by: 'genre', offset: 0, limit: 10, search: ['x'] },
      'artist',
    ],
  },
  'browse.tracks': {
    good: [
      [
        { by: 'artist', name: 'Joni' },
        { by: 'artist', name: 'Joni' },
      ],
      [
        { by: 'genre', name: 'Folk' },
        { by: 'genre', name: 'Folk' },
      ],
    ],
    bad: [{ by: 'artist' }, { by: 'album', name: 'Blue' }, { by: 'genre', name: 7 }, { by: 'genre', name: 'x'.repeat(1001) }],
  },
  'albums.tracks': {
    good: [
      [
        { title: 'Blue', artist: 'Joni' },
        { title: 'Blue', artist: 'Joni' },
      ],
      [
        { title: 'Untitled', artist: null },
        { title: 'Untitled', artist: null },
      ],
    ],
    bad: [{ title: 'Blue' }, { title: 5, artist: null }, { artist: 'Joni' }, 'Blue'],
  },
  'settings.get': { good: [[null, null]], bad: [{}] },
  'settings.set': {
    good: [
      [{ volume: 0.5 }, { volume: 0.5 }],
      [{ musicFolders: ['/music'] }, { musicFolders: ['/music'] }],
      [{}, {}],
      [
        { player: { levelling: 'album', preampDb: -3.5, crossfadeSeconds: 4 } },
        { player: { levelling: 'album', preampDb: -3.5, crossfadeSeconds: 4 } },
      ],
      [
        { player: { repeat: 'one', endless: true, gapless: false } },
        { player: { repeat: 'one', endless: true, gapless: false } },
      ],
      [
        { queue: { trackIds: [4, 2], index: 1, position: 12.5, unshuffled: [2, 4] } },
        { queue: { trackIds: [4, 2], index: 1, position: 12.5, unshuffled: [2, 4] } },
      ],
      [{ queue: null }, { queue: null }],
    ],
    bad: [
      { volume: 2 },
      { volume: '0.5' },
      { volume: Number.NaN },
      { musicFolders: ['music'] },
      { theme: 'dark' },
      null,
      { player: { levelling: 'loud' } },
      { player: { preampDb: 20 } },
      { player: { crossfadeSeconds: 13 } },
      { player: { crossfadeSeconds: Number.NaN } },
      { player: { repeat: true } },
      { player: { shuffle: true } },
      { queue: { trackIds: [1], index: 1, position: 0, unshuffled: null } },
      { queue: { trackIds: [0], index: 0, position: 0, unshuffled: null } },
      { queue: { trackIds: [1], index: 0, position: -1, unshuffled: null } },
    ],
  },
  'dialog.chooseFolder': { good: [[null, null]], bad: [{ defaultPath: '/' }] },
  'queue.exportM3u8': {
    good: [[{ trackIds: [3, 1, 2] }, { trackIds: [3, 1, 2] }]],
    bad: [{ trackIds: [] }, { trackIds: [-1] }, { trackIds: 'all' }, {}],
  },
  'queue.fromTopics': {
    good: [
      [{ topics: [1, 4] }, { topics: [1, 4] }],
      [
        { topics: [7], n: 30, adventurous: 0.4, exclude: [5] },
        { topics: [7], n: 30, adventurous: 0.4, exclude: [5] },
      ],
      [
        { topics: [1, 4], weights: [2, 0.5], ranking: 'blend' },
        { topics: [1, 4], weights: [2, 0.5], ranking: 'blend' },
      ],
      [
        { topics: [3], ranking: 'nearest' },
        { topics: [3], ranking: 'nearest' },
      ],
      [
        { topics: [3], mix: { maxPerArtist: 1, energy: 1, tempo: { min: 0, max: 90 } } },
        { topics: [3], mix: { maxPerArtist: 1, energy: 1, tempo: { min: 0, max: 90 } } },
      ],
    ],
    bad: [
      { topics: [] },
      { topics: [1, 1] },
      { topics: [1, 4], weights: [1] },
      { topics: [1, 4], weights: [1, 0] },
      { topics: [1, 4], weights: [1, '2'] },
      { topics: [1, 4], weights: [1, 101] },
      { topics: [1], ranking: 'closest' },
      { topics: [1, 4], weights: [1, 2], ranking: 'nearest' },
      { topics: [0] },
      { topics: [1.5] },
      { topics: [1], adventurous: 1.5 },
      { topics: [1], adventurous: -0.1 },
      { topics: [1], n: 0 },
      { topics: [1], n: 501 },
      { topics: [1], seed: 3 },
      null,
    ],
  },
  'tracks.moreLike': {
    good: [
      [{ trackIds: [3] }, { trackIds: [3] }],
      [
        { trackIds: [3, 4], n: 10, exclude: [1] },
        { trackIds: [3, 4], n: 10, exclude: [1] },
      ],
      [
        { trackIds: [3], unlike: [7], unlikeWeight: 2, adventurous: 0.3, mix: { energy: -0.5, energyCurve: 'rising' } },
        { trackIds: [3], unlike: [7], unlikeWeight: 2, adventurous: 0.3, mix: { energy: -0.5, energyCurve: 'rising' } },
      ],
    ],
    bad: [
      { trackIds: [] },
      { trackIds: [0] },
      { trackIds: ['3'] },
      { trackIds: [3], n: -1 },
      { ids: [3] },
      { trackIds: [3], unlike: [3] },
      { trackIds: [3], unlikeWeight: 11 },
      { trackIds: [3], mix: { energy: 1.5 } },
      { trackIds: [3], mix: { tempo: { min: 140, max: 90 } } },
      { trackIds: [3], mix: { energyCurve: 'zigzag' } },
      { trackIds: [3], mix: { maxPerArtist: 0 } },
      { trackIds: [3], mix: { loudness: 1 } },
      null,
    ],
  },
  'mix.path': {
    good: [
      [{ trackIds: [3, 9] }, { trackIds: [3, 9] }],
      [
        { trackIds: [3, 9, 4], n: 20, exclude: [1], mix: { maxPerArtist: 2, maxPerAlbum: 1, tempo: { min: 90, max: 130 } } },
        { trackIds: [3, 9, 4], n: 20, exclude: [1], mix: { maxPerArtist: 2, maxPerAlbum: 1, tempo: { min: 90, max: 130 } } },
      ],
    ],
    bad: [
      { trackIds: [3] },
      { trackIds: [3, 3] },
      { trackIds: [3, 9], n: 1 },
      { trackIds: [3, 9], n: 101 },
      { trackIds: Array.from({ length: 17 }, (_, i) => i + 1) },
      { trackIds: [3, 9], mix: { energy: 1 } },
      { trackIds: [3, 9], mix: { energyCurve: 'rising' } },
      null,
    ],
  },
  'queue.radio': {
    good: [
      [{ seed: { trackIds: [3] } }, { seed: { trackIds: [3] } }],
      [
        { seed: { topics: [1, 2], weights: [2, 1] }, n: 10, exclude: [4], sessionSince: 1_700_000_000_000, adventurous: 0.2 },
        { seed: { topics: [1, 2], weights: [2, 1] }, n: 10, exclude: [4], sessionSince: 1_700_000_000_000, adventurous: 0.2 },
      ],
      [
        { seed: { artist: 'Nina Simone' }, mix: { maxPerArtist: 2 } },
        { seed: { artist: 'Nina Simone' }, mix: { maxPerArtist: 2 } },
      ],
      [{ seed: { playlistId: 2 } }, { seed: { playlistId: 2 } }],
    ],
    bad: [
      { seed: {} },
      { seed: { trackIds: [3], artist: 'x' } },
      { seed: { artist: '  ' } },
      { seed: { trackIds: [3], weights: [1] } },
      { seed: { topics: [1, 2], weights: [1] } },
      { seed: { trackIds: [3] }, sessionSince: -1 },
      { seed: { genre: 'jazz' } },
      { trackIds: [3] },
      null,
    ],
  },
  'tracks.similarGroups': {
    good: [
      [
        { kind: 'artist', name: 'Nina Simone' },
        { kind: 'artist', name: 'Nina Simone' },
      ],
      [
        { kind: 'album', name: 'Blue', n: 5 },
        { kind: 'album', name: 'Blue', n: 5 },
      ],
    ],
    bad: [
      { kind: 'genre', name: 'x' },
      { kind: 'artist', name: '' },
      { kind: 'artist' },
      { kind: 'album', name: 'x', n: 0 },
      null,
    ],
  },
  'queue.smoothOrder': {
    good: [
      [{ trackIds: [3, 1, 2] }, { trackIds: [3, 1, 2] }],
      [
        { trackIds: [3, 1, 2], firstId: 2 },
        { trackIds: [3, 1, 2], firstId: 2 },
      ],
    ],
    bad: [{ trackIds: [] }, { trackIds: [3, 1], firstId: 5 }, { trackIds: Array.from({ length: 3001 }, (_, i) => i + 1) }, null],
  },
  'feedback.set': {
    good: [
      [
        { trackId: 3, kind: 'like', topics: [1, 2] },
        { trackId: 3, kind: 'like', topics: [1, 2] },
      ],
      [
        { trackId: 3, kind: 'skip', position: 12.5, topics: [] },
        { trackId: 3, kind: 'skip', position: 12.5, topics: [] },
      ],
    ],
    bad: [
      { trackId: 3, kind: 'love', topics: [] },
      { trackId: 0, kind: 'like', topics: [] },
      { trackId: 3, kind: 'like' },
      { trackId: 3, kind: 'skip', position: -1, topics: [] },
      { trackId: 3, kind: 'skip', position: '12', topics: [] },
      { trackId: 3, kind: 'like', topics: [0] },
      null,
    ],
  },
  'model.train': {
    good: [
      [null, {}],
      [
        { epochs: 2, seed: 7 },
        { epochs: 2, seed: 7 },
      ],
      [{ model: 'paper' }, { model: 'paper' }],
      [{ model: 'default' }, { model: 'default' }],
    ],
    bad: [
      { epochs: 0 },
      { epochs: 1.5 },
      { epochs: 1001 },
      { seed: -1 },
      { backend: 'gpu' },
      { model: 'twonet' },
      { model: 1 },
      'train',
    ],
  },
  'model.cancel': { good: [[null, null]], bad: [{}] },
  'model.rollback': { good: [[null, null]], bad: [{ to: 1 }] },
  'model.retrain': {
    good: [
      [null, {}],
      [{ epochs: 3 }, { epochs: 3 }],
    ],
    bad: [{ epochs: 0 }, { epochs: 2.5 }, { weight: 9 }, 'x'],
  },
  'model.info': { good: [[null, null]], bad: [1] },
  'model.map': {
    good: [
      [null, {}],
      [{ topics: [2, 3] }, { topics: [2, 3] }],
    ],
    bad: [{ topics: [0] }, { topics: 'all' }, { colour: 'topic' }],
  },
  'model.mapSelection': {
    good: [
      [null, {}],
      [{ topics: [1] }, { topics: [1] }],
    ],
    bad: [{ topics: [-1] }, { topics: 3 }, { points: true }],
  },
  'playlists.list': { good: [[null, null]], bad: [{}, 'all'] },
  'playlists.save': {
    good: [
      [
        { name: 'Evening', trackIds: [3, 1, 3] },
        { name: 'Evening', trackIds: [3, 1, 3] },
      ],
      [
        { name: '  Late night  ', trackIds: [1], replace: true },
        { name: 'Late night', trackIds: [1], replace: true },
      ],
      [
        { name: 'x'.repeat(200), trackIds: Array(10_000).fill(7) },
        { name: 'x'.repeat(200), trackIds: Array(10_000).fill(7) },
      ],
    ],
    bad: [
      { name: '', trackIds: [1] },
      { name: '   ', trackIds: [1] },
      { name: 'x'.repeat(201), trackIds: [1] },
      { name: 'tab\there', trackIds: [1] },
      { name: 'nul\0', trackIds: [1] },
      { name: 42, trackIds: [1] },
      { trackIds: [1] },
      { name: 'Evening', trackIds: [] },
      { name: 'Evening', trackIds: [1.5] },
      { name: 'Evening', trackIds: [0] },
      { name: 'Evening', trackIds: ['1'] },
      { name: 'Evening', trackIds: Array(10_001).fill(1) },
      { name: 'Evening', trackIds: [1], replace: 'yes' },
      { name: 'Evening', trackIds: [1], overwrite: true },
      null,
    ],
  },
  'playlists.get': {
    good: [[{ id: 4 }, { id: 4 }]],
    bad: [{ id: 0 }, { id: 1.5 }, { id: '4' }, { name: 'Evening' }, { id: 4, extra: 1 }, null],
  },
  'playlists.delete': {
    good: [[{ id: 1 }, { id: 1 }]],
    bad: [{ id: -1 }, { id: 2.5 }, {}, 'Evening'],
  },
};

describe('API request validation', () => {
  it('knows the contract methods only', () => {
    expect(isApiMethod('library.summary')).toBe(true);
    expect(isApiMethod('library.drop')).toBe(false);
    expect(isApiMethod(42)).toBe(false);
    expect(Object.keys(CASES).sort()).toEqual([...API_METHODS].sort());
  });

  for (const method of API_METHODS) {
    it(`${method}: accepts well-formed requests and refuses malformed ones with a reason`, () => {
      const { good, bad } = CASES[method];
      for (const [request, expected] of good) expect(validateRequest(method, request)).toEqual(expected);
      for (const request of bad)
        expect(() => validateRequest(method, request), JSON.stringify(request)).toThrow(InvalidRequestError);
    });
  }

  it('the dispatcher refuses unknown methods and bad arguments before the handler runs, and returns errors as values', async () => {
    let calls = 0;
    const handle = async () => {
      calls++;
      return { cancelled: true } as never;
    };
    expect(await dispatchCall('fs.delete', null, handle)).toMatchObject({ ok: false, error: /unknown method/ });
    expect(await dispatchCall('tracks.list', { offset: -5, limit: 1 }, handle)).toMatchObject({ ok: false, error: /offset/ });
    expect(calls).toBe(0);
    expect(await dispatchCall('topics.cancel', null, handle)).toEqual({ ok: true, value: { cancelled: true } });
    expect(calls).toBe(1);
    const failing = async () => {
      throw new Error('disk on fire');
    };
    expect(await dispatchCall('library.summary', null, failing)).toEqual({ ok: false, error: 'disk on fire' });
  });
});
