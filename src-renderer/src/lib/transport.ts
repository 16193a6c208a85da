// The renderer's one way to reach the core: the same CadenzaApi in both modes. In Electron the preload
// exposes it (IPC); in a browser (`cadenza serve`) it is fetch for calls and a WebSocket for events.
import type { ApiEvent, ApiEvents, ApiMethod, ApiRequest, ApiResult, CadenzaApi } from '../../../src-main/api/contract.ts';
import { artUrlFor, mediaUrlFor } from '../../../src-main/api/contract.ts';

type Listener = (payload: unknown) => void;

/** Calls and events over HTTP + WebSocket to the server this page came from (the token is in a cookie). */
export function browserApi(onReconnect: () => void = () => {}): CadenzaApi {
  const listeners = new Map<string, Set<Listener>>();
  let delay = 250;
  let opened = false;
  const connect = () => {
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/events`);
    socket.onopen = () => {
      delay = 250;
      if (opened) onReconnect(); // events may have been missed: let the UI re-read its state
      opened = true;
    };
    socket.onmessage = (message) => {
      let data: { event?: unknown; payload?: unknown };
      try {
        data = JSON.parse(String(message.data)) as { event?: unknown; payload?: unknown };
      } catch {
        return;
      }
      if (typeof data.event === 'string') for (const l of listeners.get(data.event) ?? []) l(data.payload);
    };
    socket.onclose = () => {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
  };
  connect();
  return {
    async call<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResult<M>> {
      try {
        const response = await fetch('/api/call', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ method, request }),
          credentials: 'same-origin',
        });
        if (!response.ok) return { ok: false, error: `${response.status}: ${await response.text()}` };
        return (await response.json()) as ApiResult<M>;
      } catch (error) {
        return {
          ok: false,
          error: `the Cadenza server cannot be reached (${error instanceof Error ? error.message : String(error)})`,
        };
      }
    },
    on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
    mediaUrl: (trackId) => mediaUrlFor('browser', trackId),
    artUrl: (trackId, size) => artUrlFor('browser', trackId, size),
  };
}

/** The API of this window: Electron's preload bridge when present, else the browser transport. */
export function connectApi(onReconnect?: () => void): CadenzaApi {
  return window.cadenza ?? browserApi(onReconnect);
}

/** Unwraps a result, throwing its error (for callers that show errors in one place). */
export async function call<M extends ApiMethod>(api: CadenzaApi, method: M, request: ApiRequest<M>) {
  const result = await api.call(method, request);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}
