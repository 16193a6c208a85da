// The shell's two custom protocols: app:// serves the built renderer (with the CSP header), media://
// serves indexed audio by track id through the same function as browser mode's /media/ route.
import { net, protocol } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { artSizeOf, contentSecurityPolicy, MEDIA_SCHEME } from '../api/contract.ts';
import type { AppService } from '../core/app/app-service.ts';
import { mediaTrackId } from '../core/app/media.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'cadenza';

/** Must run before the app is ready. */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    // corsEnabled: the player's Web Audio graph reads media:// from app:// (a CORS request; see mediaProtocolResponse).
    {
      scheme: MEDIA_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: true },
    },
  ]);
}

function notFound(): Response {
  return new Response('not found', { status: 404 });
}

/** app://cadenza/<file> from the renderer folder, nothing outside it; HTML gets the CSP header. */
async function appResponse(request: Request, rendererDir: string): Promise<Response> {
  const url = new URL(request.url);
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return notFound();
  }
  const file = path.normalize(path.join(rendererDir, rel === '/' ? 'index.html' : rel));
  if (url.host !== APP_HOST || !file.startsWith(rendererDir + path.sep)) return notFound();
  const response = await net.fetch(pathToFileURL(file).toString());
  const headers = new Headers(response.headers);
  headers.set('X-Content-Type-Options', 'nosniff');
  if (file.endsWith('.html')) headers.set('Content-Security-Policy', contentSecurityPolicy());
  return new Response(response.body, { status: response.status, headers });
}

/** media://track/<id>: only indexed tracks, with Range support (see core/app/media.ts); media://art/<id>: their cover art. */
async function mediaProtocolResponse(request: Request, service: AppService): Promise<Response> {
  const url = new URL(request.url);
  const id = mediaTrackId(url.pathname.slice(1));
  let response: Response;
  if (url.host === 'track') response = await service.media(id, { method: request.method, range: request.headers.get('range') });
  else if (url.host === 'art') response = await service.art(id, { method: request.method, size: artSizeOf(url.searchParams) });
  else return notFound();
  // media:// is another origin than app://: the player's Web Audio graph (levelling, gapless) hears a
  // cross-origin element or fetch only when the response allows the app's origin (nothing else).
  const headers = new Headers(response.headers);
  headers.set('Access-Control-Allow-Origin', `${APP_SCHEME}://${APP_HOST}`);
  headers.set('Access-Control-Expose-Headers', 'Content-Length, Content-Range');
  return new Response(response.body, { status: response.status, headers });
}

export function handleProtocols(service: AppService, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => appResponse(request, rendererDir));
  protocol.handle(MEDIA_SCHEME, (request) => mediaProtocolResponse(request, service));
}
