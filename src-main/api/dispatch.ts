import type { ApiHandler, DispatchResult } from './contract.ts';
import { isApiMethod, validateRequest } from './validate.ts';

/**
 * The one wrapper every call passes through, over IPC (Electron) and HTTP (browser mode) alike: the
 * method must be in the contract and its argument must validate; then the handler runs and any error
 * comes back as a value. The transports check who is calling (sender frame, token) before this.
 */
export async function dispatchCall(method: unknown, request: unknown, handle: ApiHandler): Promise<DispatchResult> {
  if (!isApiMethod(method)) return { ok: false, error: `refused: unknown method ${String(method)}` };
  try {
    const valid = validateRequest(method, request);
    return { ok: true, value: await handle(method, valid) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
