// Exposes the typed API to the renderer and nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import { API_EVENTS, IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, mediaUrlFor, artUrlFor, type CadenzaApi } from '../api/contract.ts';

const api: CadenzaApi = {
  call: (method, request) => ipcRenderer.invoke(IPC_CALL_CHANNEL, method, request),
  on: (event, listener) => {
    if (!API_EVENTS.includes(event)) throw new Error(`unknown event ${event}`);
    const wrapped = (_e: unknown, name: string, payload: unknown) => {
      if (name === event) listener(payload as never);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.off(IPC_EVENT_CHANNEL, wrapped);
  },
  mediaUrl: (trackId) => mediaUrlFor('electron', trackId),
  artUrl: (trackId, size) => artUrlFor('electron', trackId, size),
};

contextBridge.exposeInMainWorld('cadenza', api);
