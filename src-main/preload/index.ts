// Exposes the typed API to the renderer and nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import {
  API_EVENTS,
  IPC_CALL_CHANNEL,
  IPC_EVENT_CHANNEL,
  fromWire,
  mediaUrlFor,
  artUrlFor,
  type CadenzaApi,
  type WireResult,
} from '../api/contract.ts';

const api: CadenzaApi = {
  // An answer written as JSON by the core (the map) is parsed here, in the renderer's process.
  call: async (method, request) => fromWire((await ipcRenderer.invoke(IPC_CALL_CHANNEL, method, request)) as WireResult),
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
