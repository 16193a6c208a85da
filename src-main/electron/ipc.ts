import type { IpcMainInvokeEvent } from 'electron';
import { toWire, type ApiHandler, type WireResult } from '../api/contract.ts';
import { dispatchCall } from '../api/dispatch.ts';

/** The app's own renderer origin; IPC from any other frame is refused. */
export const APP_ORIGIN = 'app://cadenza';

export function isTrustedSender(frameUrl: string | undefined, devServerUrl?: string): boolean {
  if (!frameUrl) return false;
  let url: URL;
  try {
    url = new URL(frameUrl);
  } catch {
    return false;
  }
  if (`${url.protocol}//${url.host}` === APP_ORIGIN) return true;
  return devServerUrl !== undefined && url.origin === new URL(devServerUrl).origin;
}

/**
 * Every IPC call: checks the sender frame, then goes through the same dispatcher as browser mode
 * (method in the contract, argument validated, errors returned as values).
 */
export async function dispatchIpcCall(
  event: Pick<IpcMainInvokeEvent, 'senderFrame'>,
  method: unknown,
  request: unknown,
  handle: ApiHandler,
  devServerUrl?: string,
): Promise<WireResult> {
  if (!isTrustedSender(event.senderFrame?.url, devServerUrl)) return { ok: false, error: 'refused: unknown sender' };
  return toWire(await dispatchCall(method, request, handle));
}
