/// <reference types="svelte" />
import type { CadenzaApi } from '../../src-main/api/contract.ts';

declare global {
  interface Window {
    cadenza?: CadenzaApi;
  }
}
