import { BindRefusedError, checkBindHost, parsePublicUrl } from '../../server/auth.ts';
import { serveApp } from '../../server/serve-app.ts';
import type { Command } from '../command.ts';
import { printJson, UsageError } from '../context.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the Cadenza UI to a web browser on this machine (loopback HTTP, protected by a token)',
  usage: 'cadenza serve [--data-dir D] [--port P] [--host H [--allow-remote]] [--public-url URL] [--renderer-dir DIR] [--json]',
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'allow-remote': { type: 'boolean', default: false },
    'public-url': { type: 'string' },
    'renderer-dir': { type: 'string' },
    workers: { type: 'string' },
  },
  async run(ctx, args, options) {
    if (args.length > 0) throw new UsageError(`usage: ${this.usage}`);
    const port = options.port === undefined ? 0 : Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes a port number (0 to 65535)');
    const host = typeof options.host === 'string' ? options.host : undefined; // default: see defaultLoopbackHost
    const allowRemote = options['allow-remote'] === true;
    const publicUrl = typeof options['public-url'] === 'string' ? options['public-url'] : undefined;
    try {
      if (host !== undefined) checkBindHost(host, allowRemote);
      if (publicUrl !== undefined) parsePublicUrl(publicUrl);
    } catch (error) {
      if (error instanceof BindRefusedError) throw new UsageError(error.message);
      throw error;
    }
    const workers = options.workers === undefined ? undefined : Number(options.workers);
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1 && workers <= 64)) {
      throw new UsageError('--workers takes a whole number from 1 to 64');
    }
    const app = await serveApp({
      dataDir: ctx.dataDir,
      ...(host !== undefined ? { host } : {}),
      ...(publicUrl !== undefined ? { publicUrl } : {}),
      port,
      allowRemote,
      ...(typeof options['renderer-dir'] === 'string' ? { rendererDir: options['renderer-dir'] } : {}),
      ...(workers ? { analysisWorkers: workers } : {}),
      log: (line) => ctx.stderr(line),
    });
    if (ctx.json) printJson(ctx, { url: app.server.url, port: app.server.port, dataDir: ctx.dataDir });
    else {
      ctx.stdout(`Cadenza is running at ${app.server.url}`);
      ctx.stdout('Open that address in a browser on this machine (it carries the access token). Ctrl-C stops the server.');
      if (allowRemote && host !== undefined && host !== '127.0.0.1')
        ctx.stderr('warning: listening beyond loopback; the token crosses the network unencrypted.');
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await app.close();
    return 0;
  },
};
