/** Vite build of the web client: `web/` → `web/dist`, served by Parley at `/app/`. */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/app/',
  // The client library from its sources in this repository (no build step in between).
  resolve: { alias: { '@parley/client': fileURLToPath(new URL('../client/src/index.ts', import.meta.url)) } },
  // Preact's automatic JSX runtime, without a framework plugin.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  // `npm run dev:web` next to `npm run dev`: the API and sockets go to the server.
  server: {
    proxy: {
      '^/(users|chats|uploads|ws|api)': { target: 'http://127.0.0.1:3000', ws: true },
    },
  },
});
