// A static file server on 127.0.0.1 for the browser benchmarks (and tests):
// serves a directory with the MIME types module scripts and wasm need.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
};

// Cross-origin isolation (COOP + COEP) gives the page a 5 us clock instead
// of a 100 us one, which the benchmarks need to time single calls.
const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/**
 * Serves root on 127.0.0.1 at a free port, cross-origin isolated if asked;
 * resolves to { url, close }.
 */
export function serve(root, { crossOriginIsolated = false } = {}) {
  const server = createServer(async (req, res) => {
    try {
      const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
      if (path.includes('..')) return void res.writeHead(403).end();
      const body = await readFile(join(root, path));
      const type = TYPES[extname(path)] ?? 'application/octet-stream';
      res.writeHead(200, { 'content-type': type, ...(crossOriginIsolated ? ISOLATION : {}) }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}
