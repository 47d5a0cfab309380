#!/usr/bin/env node
/** Starts Parley: load config, build the app, listen, and shut down gracefully on signals. */
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { loadConfigOrExit } from './config.js';

const config = loadConfigOrExit();

const app = await buildApp(config);
closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'shutting down after an error');
  else app.log.info({ signal }, 'shutting down');
  await app.close();
});
await app.listen({ port: config.port, host: config.host });
app.log.info({ dataDir: config.dataDir, store: app.core.ports.store.kind, bus: config.redisUrl ? 'redis' : 'memory' }, 'Parley is ready');
