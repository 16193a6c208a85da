import { API_METHODS, type ApiMethod, type ApiRequest } from './contract.ts';

export class InvalidRequestError extends Error {}

type Validator<M extends ApiMethod> = (value: unknown) => ApiRequest<M>;

const isNull = (value: unknown): null => {
  if (value !== null && value !== undefined) throw new InvalidRequestError('this call takes no argument');
  return null;
};

/** One validator per method: every argument that crosses the process boundary is checked here. */
const validators: { [M in ApiMethod]: Validator<M> } = {
  'library.summary': isNull,
  'library.cancelScan': isNull,
  'library.scan': (value) => {
    if (!value || typeof value !== 'object') throw new InvalidRequestError('expected { folders: string[] }');
    const folders = (value as { folders?: unknown }).folders;
    if (!Array.isArray(folders) || folders.length === 0 || folders.length > 64) {
      throw new InvalidRequestError('folders must be a list of 1 to 64 absolute paths');
    }
    for (const folder of folders) {
      if (typeof folder !== 'string' || folder.length === 0 || folder.length > 4096 || folder.includes('\0')) {
        throw new InvalidRequestError('each folder must be a non-empty path string');
      }
      if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(folder)) throw new InvalidRequestError(`not an absolute path: ${folder}`);
    }
    return { folders: folders as string[] };
  },
};

export function isApiMethod(value: unknown): value is ApiMethod {
  return typeof value === 'string' && (API_METHODS as readonly string[]).includes(value);
}

export function validateRequest<M extends ApiMethod>(method: M, value: unknown): ApiRequest<M> {
  return validators[method](value);
}
