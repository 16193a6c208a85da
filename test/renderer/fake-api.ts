// Shared by the renderer's *.dom.test.ts files: a track row and a fake of the API that records each call
// (the real calls are covered end to end in test/e2e).
import type { CadenzaApi } from '../../src-main/api/contract.ts';
import type { TrackRow } from '../../src-main/api/types.ts';

/** A track row with what the UI state reads (title T<id>, no artist or album). */
export function row(id: number): TrackRow {
  return {
    id,
    path: `/m/${id}.flac`,
    title: `T${id}`,
    artist: null,
    album: null,
    albumArtist: null,
    trackNo: null,
    duration: 100,
  } as unknown as TrackRow;
}

/** A fake API whose calls answer `answer(method, request)` (a promise, or a value wrapped as ok). */
export function fakeApi(call: (method: string, request: Record<string, unknown>) => unknown): CadenzaApi {
  return {
    call,
    on: () => () => {},
    mediaUrl: (id: number) => `/media/${id}`,
    artUrl: (id: number) => `/art/${id}`,
  } as unknown as CadenzaApi;
}

/** A fake API that records each call and answers ok with `answer(method, request)`. */
export function recordingApi(answer: (method: string, request: Record<string, unknown>) => unknown) {
  const calls: { method: string; request: Record<string, unknown> }[] = [];
  const api = fakeApi(async (method, request) => {
    calls.push({ method, request });
    return { ok: true, value: answer(method, request) };
  });
  return { api, calls };
}
