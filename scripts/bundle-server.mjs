// Bundles the compiled server (dist/server.js and the ~600 modules it imports) into that one
// file, in place, after `tsc`. Resolving, reading and compiling hundreds of small files was
// the larger part of a cold start: about 40% of it goes with the bundle (bench/results.md).
// Run by `npm run build`; `npm start` and the deploy files run dist/server.js as before.
//
// Left outside (loaded from node_modules at run time): native addons (better-sqlite3,
// sharp, @node-rs/argon2, pg-native), and packages that find files of their own next to
// their code (piscina's worker, swagger-ui's assets). The argon2 hashing worker is bundled
// too, as dist/argon2.worker.js: the hasher looks for its worker next to its own module,
// which in the bundle is dist/server.js. The CLI (dist/cli/) stays unbundled.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

await build({
  absWorkingDir: root,
  entryPoints: [
    { in: 'dist/server.js', out: 'server' },
    { in: 'dist/adapters/hasher/argon2.worker.js', out: 'argon2.worker' },
  ],
  outdir: dist,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['better-sqlite3', 'sharp', '@node-rs/argon2', 'pg-native', 'piscina', '@fastify/swagger-ui'],
  // CommonJS dependencies call require() for Node's built-ins; an ES module has none of its own.
  banner: { js: "import { createRequire as __parleyCreateRequire } from 'node:module'; const require = __parleyCreateRequire(import.meta.url);" },
});
