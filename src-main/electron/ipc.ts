import type { IpcMainInvokeEvent } from 'electron';
import type { ApiMethod, ApiRequest, ApiResponse, ApiResult } from '../api/contract.ts';
import { isApiMethod, validateRequest } from '../api/validate.ts';

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
 * The one wrapper every IPC call passes through: checks the sender frame, that the method is in
 * the contract and that its argument validates, then runs the handler and returns errors as values.
 */
export async function dispatchIpcCall(
  event: Pick<IpcMainInvokeEvent, 'senderFrame'>,
  method: unknown,
  request: unknown,
  handle: <M extends ApiMethod>(method: M, request: ApiRequest<M>) => Promise<ApiResponse<M>>,
  devServerUrl?: string,
): Promise<ApiResult<ApiMethod>> {
  if (!isTrustedSender(event.senderFrame?.url, devServerUrl)) return { ok: false, error: 'refused: unknown sender' };
  if (!isApiMethod(method)) return { ok: false, error: `refused: unknown method ${String(method)}` };
  try {
    const valid = validateRequest(method, request);
    return { ok: true, value: await handle(method, valid) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
