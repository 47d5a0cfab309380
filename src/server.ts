#!/usr/bin/env node
/**
 * Starts Parley: load config, build the app, listen, and shut down within a bounded time on
 * signals (shutdown/graceful.ts). Logs go to stdout through a stream that never blocks the
 * process (logging/log-stream.ts).
 */
import { buildApp } from './app.js';
import { loadConfigOrExit } from './config.js';
import { createLogStream } from './logging/log-stream.js';
import { handleShutdown } from './shutdown/graceful.js';

const config = loadConfigOrExit();

const logStream = createLogStream();
const app = await buildApp(config, { logStream });
handleShutdown({ close: () => app.close(), log: app.log, logStream });
await app.listen({ port: config.port, host: config.host });
app.log.info({ dataDir: config.dataDir, store: app.core.ports.store.kind, bus: config.redisUrl ? 'redis' : 'memory' }, 'Parley is ready');
