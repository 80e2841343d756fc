// `prunelab serve`: the HTTP server of the web view. It serves the pages (the package's web/
// folder), the chart library (vega, vega-lite and vega-embed from the installed packages: no CDN),
// a JSON API over the runs folder, every file of a run for download, and server-sent events when a
// run's results change; for the in-browser study (/browser), its bundle (dist/web/), the kernels
// and the bundled datasets decoded. Only files under the runs folder are served (files.ts); it
// binds 127.0.0.1 unless told otherwise. The pages are apart from it, in web/.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFashionMnist, loadMnist } from '../data/fashion-mnist.js';
import { encodeRawDataset } from '../data/raw-file.js';
import type { RawDataset } from '../data/types.js';
import { UserError } from '../util/errors.js';
import { fileInside } from './files.js';
import { listRuns, runFiles, summarizeRun } from './runs.js';
import { watchRuns } from './watch.js';

export interface ServeOptions {
  /** The runs folder. */
  root: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface Served {
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

/** Every response: no request may leave the machine, and the page is cross-origin isolated. */
const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
    "img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:",
};

function packageRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** The chart library's browser builds, from the installed packages. */
function vendorFiles(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const build = (name: string) => dirname(require.resolve(name));
  return {
    'vega.min.js': join(build('vega'), 'vega.min.js'),
    'vega-lite.min.js': join(build('vega-lite'), 'vega-lite.min.js'),
    'vega-embed.min.js': join(build('vega-embed'), 'vega-embed.min.js'),
  };
}

function send(res: ServerResponse, status: number, body: string, type = TYPES['.json']): void {
  res.writeHead(status, { ...HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

function sendFile(res: ServerResponse, file: string, download = false): void {
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  const headers: Record<string, string | number> = {
    ...HEADERS,
    'Content-Type': type,
    'Content-Length': statSync(file).size,
    'Cache-Control': 'no-store',
  };
  if (download) headers['Content-Disposition'] = 'attachment';
  res.writeHead(200, headers);
  createReadStream(file).pipe(res);
}

const PAGES: Record<string, string> = {
  '/': 'index.html',
  '/run': 'run.html',
  '/compare': 'compare.html',
  '/browser': 'browser.html',
};

/** The bundled sets the in-browser study may ask for (src/browser/study-page.ts). */
const BROWSER_DATASETS: Record<string, () => RawDataset> = {
  'fashion-mnist': loadFashionMnist,
  mnist: loadMnist,
};

export async function serve(options: ServeOptions): Promise<Served> {
  const root = resolve(options.root);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new UserError(`${root} is not a folder; give the runs folder (default ./runs)`);
  }
  const web = join(packageRoot(), 'web');
  // the in-browser study: its bundle (scripts/build-web.js) and the kernels it runs
  const app = join(packageRoot(), 'dist', 'web');
  const kernels = join(packageRoot(), 'build');
  const datasets = new Map<string, Buffer>();
  const vendor = vendorFiles();
  const listeners = new Set<ServerResponse>();
  const stopWatching = watchRuns(root, (run) => {
    const message = `event: change\ndata: ${JSON.stringify({ run })}\n\n`;
    for (const res of listeners) res.write(message);
  });

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, '{"error":"GET only"}');
    if (PAGES[path]) return sendFile(res, join(web, PAGES[path]));
    if (path.startsWith('/web/')) {
      const file = fileInside(web, path.slice('/web/'.length));
      return file ? sendFile(res, file) : send(res, 404, '{"error":"no such file"}');
    }
    if (path.startsWith('/app/')) {
      const file = fileInside(app, path.slice('/app/'.length));
      return file ? sendFile(res, file) : send(res, 404, '{"error":"no such file"}');
    }
    if (path === '/kernels/kernels.wasm' || path === '/kernels/kernels-fma.wasm') {
      const file = join(kernels, path.slice('/kernels/'.length));
      return existsSync(file)
        ? sendFile(res, file)
        : send(res, 404, '{"error":"run npm run build"}');
    }
    const dataset = /^\/api\/datasets\/([a-z-]+)$/.exec(path)?.[1];
    if (dataset && BROWSER_DATASETS[dataset]) {
      // decoded once (the dataset cache makes it quick), then kept for the next page
      if (!datasets.has(dataset)) {
        const bytes = encodeRawDataset(BROWSER_DATASETS[dataset]());
        datasets.set(dataset, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      }
      const body = datasets.get(dataset)!;
      res.writeHead(200, {
        ...HEADERS,
        'Content-Type': 'application/octet-stream',
        'Content-Length': body.length,
        'Cache-Control': 'no-store',
      });
      return res.end(body);
    }
    if (path.startsWith('/vendor/')) {
      const file = vendor[path.slice('/vendor/'.length)];
      return file ? sendFile(res, file) : send(res, 404, '{"error":"no such file"}');
    }
    if (path === '/api/runs') return send(res, 200, JSON.stringify(listRuns(root)));
    if (path === '/api/events') {
      res.writeHead(200, {
        ...HEADERS,
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-store',
      });
      res.write('retry: 1000\n\n');
      listeners.add(res);
      req.on('close', () => listeners.delete(res));
      return;
    }
    const api = /^\/api\/runs\/([^/]+)\/(results|files)$/.exec(path);
    if (api) {
      let name = '';
      try {
        name = decodeURIComponent(api[1]);
      } catch {
        // stays empty: refused below
      }
      if (!name || name === '.' || name === '..' || /[\\/\0]/.test(name)) {
        return send(res, 404, '{"error":"no such run"}');
      }
      const file = fileInside(root, `${encodeURIComponent(name)}/results.json`);
      const config = fileInside(root, `${encodeURIComponent(name)}/config.json`);
      if (api[2] === 'files') {
        const inside = file ?? config;
        return send(res, 200, JSON.stringify(inside ? runFiles(root, name) : []));
      }
      if (!file && config) {
        // a study that has not finished its first task yet: its configuration is all there is
        const saved = JSON.parse(readFileSync(config, 'utf8')) as unknown;
        const starting = { status: 'starting', config: saved };
        return send(res, 200, JSON.stringify(starting));
      }
      if (!file) return send(res, 404, JSON.stringify({ error: `no run ${name}` }));
      const summary = summarizeRun(root, name);
      if (summary?.unreadable) return send(res, 422, JSON.stringify({ error: summary.unreadable }));
      return send(res, 200, readFileSync(file, 'utf8'));
    }
    if (path.startsWith('/files/')) {
      const file = fileInside(root, path.slice('/files/'.length));
      return file ? sendFile(res, file, true) : send(res, 404, '{"error":"no such file"}');
    }
    send(res, 404, '{"error":"not found"}');
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      send(res, 500, JSON.stringify({ error: (err as Error).message }));
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      stopWatching();
      if (err.code === 'EADDRINUSE') {
        fail(
          new UserError(
            `port ${options.port} on ${host} is in use; give another --port (or --port 0 for a free one)`,
          ),
        );
      } else fail(new UserError(`cannot serve on ${host}:${options.port}: ${err.message}`));
    });
    server.listen(options.port ?? 8417, host, ok);
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${port}/`,
    close: async () => {
      stopWatching();
      for (const res of listeners) res.end();
      await new Promise((r) => server.close(r));
    },
  };
}
