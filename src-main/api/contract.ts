/**
 * The one contract between the UI and the core: channel names with their request and response types.
 * The Electron preload, the IPC handlers and (later) the browser-mode server all derive from it.
 */
import type { LibrarySummary, ScanProgress, ScanResult } from './types.ts';

export interface ApiMethods {
  'library.summary': { request: null; response: LibrarySummary };
  'library.scan': { request: { folders: string[] }; response: ScanResult };
  'library.cancelScan': { request: null; response: { cancelled: boolean } };
}

export interface ApiEvents {
  'scan.progress': ScanProgress;
}

export type ApiMethod = keyof ApiMethods;
export type ApiEvent = keyof ApiEvents;
export type ApiRequest<M extends ApiMethod> = ApiMethods[M]['request'];
export type ApiResponse<M extends ApiMethod> = ApiMethods[M]['response'];

/** What a call returns across the process boundary: errors travel back as values. */
export type ApiResult<M extends ApiMethod> = { ok: true; value: ApiResponse<M> } | { ok: false; error: string };

/** The surface the renderer sees (window.cadenza in Electron). */
export interface CadenzaApi {
  call<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResult<M>>;
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}

export const API_METHODS: readonly ApiMethod[] = ['library.summary', 'library.scan', 'library.cancelScan'];
export const API_EVENTS: readonly ApiEvent[] = ['scan.progress'];

export const IPC_CALL_CHANNEL = 'cadenza:call';
export const IPC_EVENT_CHANNEL = 'cadenza:event';
