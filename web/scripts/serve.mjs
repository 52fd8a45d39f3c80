// A plain static file server on 127.0.0.1 for the built dashboard, as any
// static host would serve it: files only, no special headers, optionally
// under a sub-path. scripts/run.sh uses it, and so does the end-to-end test.
//
//   node scripts/serve.mjs [--dir dist] [--port 5173] [--base /some/path/]
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Serves `root` under `base` (e.g. '/' or '/a/b/'); resolves to { url, close }. */
export function serveStatic({ root, base = '/', port = 0 }) {
  const prefix = base.endsWith('/') ? base : `${base}/`;
  const server = createServer(async (req, res) => {
    try {
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (`${pathname}/` === prefix) return void res.writeHead(301, { location: prefix }).end();
      if (!pathname.startsWith(prefix)) return void res.writeHead(404).end('not found');
      const path = normalize(pathname.slice(prefix.length));
      if (path.startsWith('..')) return void res.writeHead(403).end();
      let file = join(root, path);
      if ((await stat(file).catch(() => undefined))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      done({ url: `http://127.0.0.1:${address.port}${prefix}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
  };
  const root = resolve(arg('dir', fileURLToPath(new URL('../dist', import.meta.url))));
  const port = Number(arg('port', '5173'));
  const { url } = await serveStatic({ root, base: arg('base', '/'), port }).catch((error) => {
    const cause = error?.code === 'EADDRINUSE' ? `port ${port} is in use (PORT=8080 picks another)` : String(error?.message ?? error);
    console.error(`serve: error: cannot serve on 127.0.0.1:${port}: ${cause}`);
    process.exit(1);
  });
  console.log(`StrataDB dashboard: ${url}  (serving ${root}; Ctrl+C stops)`);
}
