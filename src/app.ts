/**
 * Assembles Parley: chooses the adapters behind each port (the only file that names
 * them), builds the core, and registers the API families on one Fastify instance.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController, type RouteOptions } from 'fastify';
import { createFsBlobStore } from './adapters/blobs/fs.js';
import { createArgon2Hasher } from './adapters/hasher/argon2.js';
import { createHttpWebhookSender } from './adapters/webhooks/http-sender.js';
import { createMemoryBus } from './adapters/bus/memory.js';
import { createLocalForwardingBus, listenForLocalPublishers } from './adapters/bus/local-control.js';
import { instrumentBus, instrumentStore } from './adapters/metrics/instrument.js';
import { createPrometheusMetrics, type PrometheusMetrics } from './adapters/metrics/prometheus.js';
import { createSqliteRateLimiter } from './adapters/limits/sqlite.js';
import { openSqliteStore } from './adapters/store/sqlite.js';
import { openSqliteSearchIndex } from './adapters/search/sqlite-search.js';
import { createVonageHttpUsers } from './adapters/vonage/http.js';
import websocket from '@fastify/websocket';
import { nativeFamily } from './api/native/index.js';
import { roomsFamily } from './api/rooms/index.js';
import { CloseCode } from './realtime/close-codes.js';
import { vappFamily } from './api/vapp/index.js';
import { startBusRecovery } from './realtime/bus-recovery.js';
import { startFanout } from './realtime/fanout.js';
import { Hub } from './realtime/hub.js';
import type { LogStream } from './logging/log-stream.js';
import { lazyChildLogger } from './logging/lazy-child.js';
import { serializeRequest } from './logging/request-log.js';
import { drainAndCloseSockets } from './shutdown/socket-drain.js';
import { startHeartbeat } from './realtime/heartbeat.js';
import { chooseProtocol } from './edge/credentials.js';
import { registerFamily } from './edge/family.js';
import { declareAuth, requireAuthDeclarations } from './edge/route-auth.js';
import { OutageLog } from './edge/outages.js';
import { useWireFormat } from './edge/wire-format.js';
import { registerDocs } from './api/system/docs.js';
import { metricsRoutes, useRequestMetrics } from './api/system/metrics.routes.js';
import { systemRoutes } from './api/system/system.routes.js';
import { webApp } from './api/system/web-app.js';
import { refuseNul, useStrictBodies } from './api/validation.js';
import { useBodyGuards } from './api/body-guards.js';
import { compileDeferred, deferredSerializerFactory } from './api/deferred-compile.js';
import type { Config } from './config.js';
import { createOpenIdClient } from './adapters/oidc/openid-client.js';
import { createCore, type Core, type CorePorts } from './core/index.js';
import type { BlobStore } from './ports/blob-store.js';
import type { Bus } from './ports/bus.js';
import { systemClock, type Clock } from './ports/clock.js';
import type { PushSenders } from './ports/push.js';
import type { RateLimiter } from './ports/rate-limiter.js';
import type { Store } from './ports/store.js';
import type { SearchIndex } from './ports/search-index.js';

export interface BuildOptions {
  /** A moved clock for tests. */
  clock?: Clock;
  /** Pino options, or false for silence. Defaults to JSON logs at `config.logLevel`. */
  logger?: boolean | Record<string, unknown>;
  /** Where the default logger writes (the server's bounded stdout stream); pino's stdout otherwise. */
  logStream?: LogStream;
  /** Extra CA (PEM) the push senders trust: stand-in APNs and Web Push servers in tests. */
  pushCa?: string;
  /** Told of every route as it is registered (the security suite checks each one's auth mode). */
  onRoute?: (route: RouteOptions) => void;
}

export type ParleyApp = FastifyInstance & { core: Core };

/**
 * The push senders configured (APNs, FCM, Web Push); none means push is off. Each adapter is
 * loaded only when configured (web-push alone adds ~150 ms to a start).
 */
async function openPushSenders(config: Config['push'], ca: string | undefined): Promise<PushSenders> {
  const senders: PushSenders = {};
  if (config.apns) senders.apns = await (await import('./adapters/push/apns.js')).createApnsSender({ ...config.apns, ca });
  if (config.fcm) senders.fcm = await (await import('./adapters/push/fcm.js')).createFcmSender(config.fcm);
  if (config.web) senders.web = (await import('./adapters/push/web.js')).createWebPushSender({ ...config.web, ca });
  return senders;
}

interface PortOptions {
  /** A node serves; the admin CLI only acts, and its bus reaches the running nodes. */
  role: 'node' | 'cli';
  prometheus?: PrometheusMetrics | undefined;
  /** Extra CA for the push services (tests' stand-ins). */
  pushCa?: string | undefined;
}

/**
 * Opens the adapters the configuration asks for: PostgreSQL (store, rate limits and, unless
 * `BLOB_STORE=fs`, uploads) when `DATABASE_URL` is set, else the SQLite file and the uploads
 * folder in `DATA_DIR`; the Redis bus when `REDIS_URL` is set, else the in-process bus. A
 * service that cannot be reached fails the start.
 */
async function openPorts(config: Config, clock: Clock, log: FastifyBaseLogger | undefined, options: PortOptions): Promise<CorePorts> {
  const { role, prometheus } = options;
  // First: a bad push key fails the start before anything is opened. The CLI sends no pushes.
  const push = role === 'node' ? await openPushSenders(config.push, options.pushCa) : {};
  const opened = await openStore(config, log);
  const { limiter, blobs, search } = opened;
  let bus: Bus;
  try {
    // The admin CLI without Redis hands what it publishes to the node running on DATA_DIR.
    const local = () => (role === 'cli' ? createLocalForwardingBus(config.dataDir) : createMemoryBus());
    // The scale-out adapters are loaded only when configured: pg and ioredis add a tenth of a start.
    bus = config.redisUrl
      ? await (await import('./adapters/bus/redis.js')).createRedisBus(config.redisUrl, {
          prefix: config.redisPrefix,
          heartbeatMs: config.redisHeartbeatSeconds * 1000,
          ...(log ? { logger: log } : {}),
        })
      : local();
  } catch (error) {
    await opened.store.close();
    throw error;
  }
  const metrics = prometheus?.metrics;
  // With metrics on, the bus's publishes and a few store writes are timed (see instrument.ts).
  const store = metrics ? instrumentStore(opened.store, metrics) : opened.store;
  if (metrics) bus = instrumentBus(bus, metrics);
  const vonage =
    config.vonageApplicationId && config.vonagePrivateKey
      ? createVonageHttpUsers({
          apiUrl: config.vonageApiUrl,
          applicationId: config.vonageApplicationId,
          privateKeyPem: config.vonagePrivateKey,
          timeoutMs: config.vonageTimeoutMs,
          retries: config.vonageRetries,
          clock,
        })
      : undefined;
  const onPushError = (err: unknown, context: string) => log?.warn({ err, context }, 'push delivery problem');
  const onPublishFailure = {
    failed: (err: unknown, topic: string) =>
      log?.warn({ err, topic }, 'stored changes are not reaching the bus; other nodes hear of them only once their sockets reconnect'),
    recovered: (count: number) => log?.warn({ count }, 'publishing on the bus works again'),
  };
  const webhookSender = createHttpWebhookSender(config.webhooks.allowHosts);
  const onWebhookError = (err: unknown, context: string) => log?.warn({ err, context }, 'webhook delivery problem');
  return {
    store,
    bus,
    blobs,
    hasher: createArgon2Hasher(config.argon2),
    limiter,
    clock,
    vonage,
    metrics,
    push,
    onPushError,
    onPublishFailure,
    search,
    webhookSender,
    onWebhookError,
    oidc: config.oidc ? createOpenIdClient(config.oidc) : undefined,
  };
}

/**
 * The core for the admin CLI: the same adapters as a node, but its bus reaches the running
 * nodes (Redis, or the node's control socket in DATA_DIR). `close` releases everything.
 */
export async function openCliCore(config: Config): Promise<{ core: Core; close(): Promise<void> }> {
  const ports = await openPorts(config, systemClock, undefined, { role: 'cli' });
  const close = async () => {
    await ports.bus.close();
    await ports.store.close();
    await ports.hasher.close?.();
  };
  try {
    return { core: await createCore(ports, config), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Opens the store the configuration asks for (PostgreSQL with `DATABASE_URL`, else the SQLite
 * file in `DATA_DIR`), migrated, with the rate limiter kept beside it, and the uploads store
 * `BLOB_STORE` names: the same PostgreSQL database, or `DATA_DIR/uploads` (each node's own
 * disk, or a folder the nodes share). The one place a blob store is chosen. Also for the CLI.
 */
export async function openStore(
  config: Config,
  log?: FastifyBaseLogger,
): Promise<{ store: Store; limiter: RateLimiter; blobs: BlobStore; search: SearchIndex }> {
  const onDisk = () => createFsBlobStore(path.join(config.dataDir, 'uploads'));
  if (config.databaseUrl) {
    const [{ openPostgresStore }, { createPostgresBlobStore }, { createPostgresRateLimiter }] = await Promise.all([
      import('./adapters/store/postgres.js'),
      import('./adapters/blobs/postgres.js'),
      import('./adapters/limits/postgres.js'),
    ]);
    const opened = await openPostgresStore(config.databaseUrl, {
      poolSize: config.databasePoolSize,
      onError: (err) => log?.warn({ err }, 'an idle PostgreSQL connection failed'),
    });
    const blobs =
      config.blobStore === 'postgres'
        ? createPostgresBlobStore(opened.pool, { onError: (err) => log?.warn({ err }, 'removing abandoned blob writes failed') })
        : onDisk();
    const search = (await import('./adapters/search/postgres-search.js')).createPostgresSearchIndex(opened.pool);
    return { store: opened.store, limiter: createPostgresRateLimiter(opened.pool), blobs, search };
  }
  const file = path.join(config.dataDir, 'parley.db');
  const opened = await openSqliteStore(file);
  // The search index reads the same file on a connection of its own, closed with the store.
  const search = openSqliteSearchIndex(file);
  const store: Store = { ...opened.store, close: async () => (search.close(), opened.store.close()) };
  return { store, limiter: createSqliteRateLimiter(opened.connection), blobs: onDisk(), search };
}

/** Logs a request without secrets (logging/request-log.ts). */
export { serializeRequest };

/**
 * Sockets at shutdown (shutdown/socket-drain.ts): frames already read have 3 s to finish,
 * peers 2 s to answer the 1001 close; HTTP requests still running after 5 s are cut.
 */
const SOCKET_SHUTDOWN = { drainMs: 3000, closeMs: 2000, code: CloseCode.GoingAway, reason: 'server shutting down' };
const HTTP_SHUTDOWN_MS = 5000;

/** JSON parser that treats an empty body as "no body" (login accepts absent, empty or {}). */
function acceptEmptyJson(app: FastifyInstance) {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, null);
    parseJson(request, body.toString(), done);
  });
}

/** Whether a logger at this level writes Fastify's `info` lines per request (a logger given as an object with no level is at `info`). */
export function requestLinesLogged(logger: BuildOptions['logger'], configured: string): boolean {
  if (logger === false) return false;
  const level = logger === undefined ? configured : typeof logger === 'object' && typeof logger.level === 'string' ? logger.level : 'info';
  return level === 'info' || level === 'debug' || level === 'trace';
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<ParleyApp> {
  const clock = options.clock ?? systemClock;
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel, serializers: { req: serializeRequest }, ...(options.logStream ? { stream: options.logStream } : {}) },
    // Fastify's two lines per request are at `info`: below that level they are never written,
    // and skipping them saves building their fields for every request.
    logController: new LogController({ disableRequestLogging: !requestLinesLogged(options.logger, config.logLevel) }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // An incoming x-request-id is honoured only when it looks like an id, never as free text.
    requestIdHeader: false,
    // A request's logger is made when it first writes a line (logging/lazy-child.ts).
    childLoggerFactory: lazyChildLogger,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
    // Response serialisers compile on first use or right after listen (deferred-compile.ts).
    schemaController: { compilersFactory: { buildSerializer: deferredSerializerFactory() } },
    // Half-open connections (a request line, then silence) are closed after the headers
    // timeout, checked often enough that thousands of them cannot pile up; sockets are exempt
    // once upgraded. Node checks every 30 s by default, Fastify sets no request timeout.
    requestTimeout: config.http.requestTimeoutMs,
    http: {
      headersTimeout: config.http.headersTimeoutMs,
      requestTimeout: config.http.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(5000, Math.max(250, config.http.headersTimeoutMs / 4)),
    },
  }) as unknown as ParleyApp;

  // One Registry per app: several apps in one process never share counters.
  const prometheus = config.metrics.enabled ? createPrometheusMetrics() : undefined;
  // After Fastify, so that the adapters log through its logger.
  const ports = await openPorts(config, clock, app.log, { role: 'node', prometheus, pushCa: options.pushCa });
  let core: Core;
  try {
    core = await createCore(ports, config);
  } catch (error) {
    await ports.bus.close();
    await ports.store.close();
    throw error;
  }
  app.decorate('core', core);
  // Outages answered 503/507 by the edge (edge/outages.ts), remembered for /readyz.
  app.decorate('outages', new OutageLog());
  // Messages older than the search index are indexed in the background, batch by batch.
  if (ports.search) {
    core.search.catchUp().then(
      ({ indexed }) => indexed > 0 && app.log.info({ indexed }, 'search index caught up'),
      (err: unknown) => app.log.warn({ err }, 'indexing older messages for search stopped'),
    );
  }
  const stopControl = ports.bus.scope === 'process' ? await listenForLocalPublishers(ports.bus, config.dataDir, (m) => app.log.warn(m)) : undefined;
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  app.addHook('onClose', async () => {
    await stopControl?.();
    await core.media.stopSweeping();
    await core.retention.stop();
    await core.exports.stop();
    await core.pushWorker.stop();
    await core.webhookWorker.stop();
    await core.presence.stop().catch((err) => app.log.warn({ err }, 'clearing socket presence failed'));
    await Promise.all(Object.values(ports.push ?? {}).map((sender) => sender.close?.()));
    await ports.bus.close();
    await ports.store.close();
    await ports.hasher.close?.();
  });

  // The request id appears in every log line; echoing it lets a client quote it in a report.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  if (prometheus) useRequestMetrics(app, prometheus);
  useStrictBodies(app);
  useBodyGuards(app, {
    minBytesPerSecond: config.faults.minBodyBytesPerSecond,
    graceMs: config.faults.bodyGraceSeconds * 1000,
    maxOpenPerAddress: config.faults.maxOpenRequestsPerAddress,
  });
  // What start-up left uncompiled is compiled once the server listens, a few schemas per turn.
  app.addHook('onListen', (done) => {
    compileDeferred().catch((error: unknown) => app.log.error({ err: error }, 'a schema failed to compile'));
    done();
  });
  refuseNul(app);
  acceptEmptyJson(app);
  // The API families, in order; a fourth is one more line here (see README, Layout).
  // One hub per app; the fan-out is the only bus subscriber that delivers to its sockets.
  const hub = new Hub();
  const stopFanout = startFanout(core.ports.bus, hub);
  // After a bus outage: sockets catch up from the event log, revoked sessions' sockets close.
  hub.noteCursor(await core.eventLog.latest());
  const stopRecovery = startBusRecovery(core.ports.bus, hub, {
    sessionExists: async (id) => (await core.ports.store.sessions.findById(id)) !== undefined,
    log: app.log,
  });
  app.addHook('onClose', async () => {
    stopRecovery();
    stopFanout();
  });
  const families = [nativeFamily({ core, config, hub }), vappFamily({ core, config }), roomsFamily({ core, config, hub })];
  // The native format also answers outside any family: system routes, docs, unknown paths.
  useWireFormat(app, families[0]!.format);
  // Every route declares its auth (src/edge/route-auth.ts); CORS preflights carry no credentials.
  requireAuthDeclarations(app);
  declareAuth(app, 'none', (route) => route.method === 'OPTIONS');
  let httpCutOff: NodeJS.Timeout | undefined;
  if (config.corsOrigins.length > 0) {
    await app.register(cors, { origin: config.corsOrigins.includes('*') ? true : config.corsOrigins });
  }
  await registerDocs(
    app,
    config.publicUrl,
    families.flatMap((family) => (family.socketDocs ? [family.socketDocs()] : [])),
  );
  await app.register(systemRoutes, { core, failureWindowMs: config.faults.readyzFailureSeconds * 1000 });
  if (prometheus) await app.register(metricsRoutes, { exposition: prometheus, token: config.metrics.token });
  await app.register(websocket, {
    options: { maxPayload: config.realtime.maxPayloadBytes, handleProtocols: chooseProtocol },
    // On shutdown, before any onClose hook closes the store: no new sockets, the frames already
    // read finish or are abandoned, and every socket hears 1001 (going away), so clients
    // reconnect elsewhere at once. Requests still running when the bound passes are cut.
    async preClose(this: FastifyInstance) {
      const server = this.server;
      httpCutOff = setTimeout(() => server.closeAllConnections(), HTTP_SHUTDOWN_MS).unref();
      this.websocketServer.close();
      const report = await drainAndCloseSockets(this.websocketServer, SOCKET_SHUTDOWN);
      if (report.sockets > 0) this.log.info(report, 'sockets closed');
    },
  });
  for (const family of families) await registerFamily(app, family);
  await app.register(webApp, { root: config.webAppDir, publicUrl: config.publicUrl });
  const stopHeartbeat = startHeartbeat(app.websocketServer, config.realtime.pingIntervalSeconds * 1000);
  // The event log keeps EVENT_RETENTION_SECONDS of events; older cursors get a resync.
  const pruneEvents = setInterval(() => core.eventLog.prune().catch((err) => app.log.warn({ err }, 'event log prune failed')), 10 * 60_000);
  pruneEvents.unref();
  app.addHook('onClose', async () => {
    stopHeartbeat();
    clearInterval(pruneEvents);
    clearTimeout(httpCutOff);
  });
  await app.ready();
  core.media.startSweeping((err) => app.log.error({ err }, 'sweeping unattached uploads failed'));
  core.retention.start((err) => app.log.error({ err }, 'deleting messages past their retention failed'));
  core.exports.start((err) => app.log.error({ err }, 'removing expired data exports failed'));
  core.webhookWorker.start();
  core.presence.start((err) => app.log.warn({ err }, 'socket presence failed'));
  if (core.push.enabled) core.pushWorker.start();
  return app;
}
