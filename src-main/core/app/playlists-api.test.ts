// Saved playlists through the app API (dispatchCall → validation → AppService) over a real SQLite file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/temp-dir.ts';
import type { ApiMethod, ApiRequest, ApiResponse } from '../../api/contract.ts';
import { dispatchCall } from '../../api/dispatch.ts';
import { AppService } from './app-service.ts';
import { insertTracks, openTestDb } from './test-db.ts';

describe('playlists through the app API', () => {
  let service: AppService;
  let ids: number[];

  const raw = (method: ApiMethod, request: unknown) => dispatchCall(method, request, (m, r) => service.handle(m, r));
  async function call<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResponse<M>> {
    const result = await raw(method, request);
    if (!result.ok) throw new Error(result.error);
    return result.value as ApiResponse<M>;
  }

  beforeAll(() => {
    const dataDir = tempDir();
    const db = openTestDb(dataDir);
    ids = insertTracks(db, [
      { path: '/m/a.mp3', title: 'A', artist: 'X' },
      { path: '/m/b.mp3', title: 'B', artist: 'Y' },
      { path: '/m/untitled.flac' },
      { path: '/m/d.mp3', title: 'D' },
    ]);
    db.close();
    service = new AppService(dataDir, () => {}, { mode: 'browser', version: 'test' });
  });

  afterAll(() => service?.close());

  it('lists nothing at first', async () => {
    expect(await call('playlists.list', null)).toEqual({ playlists: [] });
  });

  it('saves tracks in order under a name, lists it with its count, and gets the ids back in order', async () => {
    const order = [ids[2]!, ids[0]!, ids[3]!, ids[0]!];
    const saved = await call('playlists.save', { name: '  Evening ', trackIds: order });
    expect(saved).toMatchObject({ status: 'saved', replaced: false, playlist: { name: 'Evening', tracks: 4 } });
    if (saved.status !== 'saved') throw new Error('not saved');
    expect(saved.playlist.createdAt).toBeGreaterThan(0);
    expect(saved.playlist.updatedAt).toBe(saved.playlist.createdAt);
    const { playlists } = await call('playlists.list', null);
    expect(playlists).toEqual([saved.playlist]);
    expect(await call('playlists.get', { id: saved.playlist.id })).toEqual({ playlist: saved.playlist, trackIds: order });
  });

  it('an existing name is not overwritten without replace: the answer says it exists', async () => {
    const { playlists } = await call('playlists.list', null);
    const evening = playlists[0]!;
    const again = await call('playlists.save', { name: 'Evening', trackIds: [ids[1]!] });
    expect(again).toMatchObject({ status: 'exists', existing: { id: evening.id, name: 'Evening', tracks: 4 } });
    if (again.status !== 'exists') throw new Error('expected exists');
    expect(again.message).toMatch(/already exists.*replace/);
    expect((await call('playlists.get', { id: evening.id })).trackIds).toHaveLength(4);

    const replaced = await call('playlists.save', { name: 'Evening', trackIds: [ids[1]!], replace: true });
    expect(replaced).toMatchObject({ status: 'saved', replaced: true, playlist: { id: evening.id, name: 'Evening', tracks: 1 } });
    expect((await call('playlists.get', { id: evening.id })).trackIds).toEqual([ids[1]]);
    // replace: true under a new name simply saves.
    expect(await call('playlists.save', { name: 'Morning', trackIds: [ids[3]!], replace: true })).toMatchObject({
      status: 'saved',
      replaced: false,
    });
    expect((await call('playlists.list', null)).playlists.map((p) => [p.name, p.tracks])).toEqual([
      ['Evening', 1],
      ['Morning', 1],
    ]);
  });

  it('refuses unknown tracks and bad arguments with a reason, writing nothing', async () => {
    expect(await raw('playlists.save', { name: 'Ghosts', trackIds: [ids[0]!, 999_999] })).toEqual({
      ok: false,
      error: expect.stringMatching(/not in the library: track 999999/),
    });
    expect(await raw('playlists.save', { name: '', trackIds: [ids[0]!] })).toMatchObject({ ok: false, error: /needs a name/ });
    expect(await raw('playlists.save', { name: 'x'.repeat(201), trackIds: [ids[0]!] })).toMatchObject({
      ok: false,
      error: /at most 200/,
    });
    expect(await raw('playlists.save', { name: 'Bad', trackIds: [1.5] })).toMatchObject({ ok: false, error: /track id/ });
    expect(await raw('playlists.save', { name: 'Big', trackIds: Array(10_001).fill(ids[0]) })).toMatchObject({
      ok: false,
      error: /trackIds/,
    });
    expect(await raw('playlists.get', { id: 'Evening' })).toMatchObject({ ok: false, error: /playlist id/ });
    expect((await call('playlists.list', null)).playlists.map((p) => p.name)).toEqual(['Evening', 'Morning']);
  });

  it('deletes by id; a deleted playlist is gone from the list and cannot be got', async () => {
    const morning = (await call('playlists.list', null)).playlists.find((p) => p.name === 'Morning')!;
    expect(await call('playlists.delete', { id: morning.id })).toEqual({ deleted: true });
    expect(await call('playlists.delete', { id: morning.id })).toEqual({ deleted: false });
    expect(await raw('playlists.get', { id: morning.id })).toMatchObject({ ok: false, error: /no playlist/ });
    expect((await call('playlists.list', null)).playlists.map((p) => p.name)).toEqual(['Evening']);
  });

  it('a track removed from the library leaves its playlists', async () => {
    const evening = (await call('playlists.list', null)).playlists[0]!;
    await call('playlists.save', { name: 'Evening', trackIds: [ids[0]!, ids[1]!, ids[0]!], replace: true });
    service.db.prepare('DELETE FROM tracks WHERE id = ?').run(ids[0]);
    expect(await call('playlists.get', { id: evening.id })).toMatchObject({ playlist: { tracks: 1 }, trackIds: [ids[1]] });
  });
});
