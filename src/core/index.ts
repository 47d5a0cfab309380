/**
 * Builds the domain services from the ports. Knows nothing of HTTP or of which adapters
 * are behind the ports; `app.ts` chooses those.
 */
import type { Config } from '../config.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Bus } from '../ports/bus.js';
import type { Clock } from '../ports/clock.js';
import type { Hasher } from '../ports/hasher.js';
import { noopMetrics, type Metrics } from '../ports/metrics.js';
import type { PushSenders } from '../ports/push.js';
import type { RateLimiter } from '../ports/rate-limiter.js';
import type { SearchIndex } from '../ports/search-index.js';
import type { Store } from '../ports/store.js';
import type { ConversationUsers } from '../ports/vonage.js';
import type { WebhookSender } from '../ports/webhook-sender.js';
import type { OidcClient } from '../ports/oidc-client.js';
import { createAccountsService } from './accounts.service.js';
import { afterCommitBus, type PublishFailureHandler } from './after-commit-bus.js';
import { createAdminService } from './admin.service.js';
import { createAuditService } from './audit.service.js';
import { createChatEvents } from './chat-events.js';
import { createBlocksService } from './blocks.service.js';
import { createBotsService } from './bots.service.js';
import { createChatModerationService } from './chat-moderation.service.js';
import { createChatsService } from './chats.service.js';
import { createContactsService } from './contacts.service.js';
import { createEventLogService } from './event-log.service.js';
import { createExportService } from './export.service.js';
import { createIncomingHooksService } from './incoming-hooks.service.js';
import { createMessagesService } from './messages.service.js';
import { createPinsService } from './pins.service.js';
import { createOidcService } from './oidc.service.js';
import { createPresence } from './presence.service.js';
import { createPushWorker } from './push-worker.js';
import { createPushService } from './push.service.js';
import { createReactionsService } from './reactions.service.js';
import { createReportsService } from './reports.service.js';
import { createThreadsService } from './threads.service.js';
import { createRetentionService } from './retention.service.js';
import { createRoomsService } from './rooms.service.js';
import { createSearchService } from './search.service.js';
import { createMediaService } from './media.service.js';
import { createSessionsService } from './sessions.service.js';
import { createThrottle } from './throttle.service.js';
import { createTokenService } from './tokens.service.js';
import { createTwoFactorService } from './two-factor.service.js';
import { createUsersService } from './users.service.js';
import { createVappConversationsService } from './vapp-conversations.service.js';
import { createVappService } from './vapp.service.js';
import { createVonageTokens } from './vonage-tokens.service.js';
import { createWebhookWorker } from './webhook-worker.js';
import { createWebhooksService } from './webhooks.service.js';

export interface CorePorts {
  store: Store;
  bus: Bus;
  blobs: BlobStore;
  hasher: Hasher;
  limiter: RateLimiter;
  clock: Clock;
  /** The Vonage Conversation API, when configured (V-app provisioning). */
  vonage?: ConversationUsers | undefined;
  /** Counters for `/metrics`; nothing is counted when absent. */
  metrics?: Metrics | undefined;
  /** Push senders by transport; push is off when none is given. */
  push?: PushSenders | undefined;
  /** The full-text index of messages and chats; search is refused without it (a core built for a tool). */
  search?: SearchIndex | undefined;
  /** Where push delivery problems are reported (a log). */
  onPushError?: ((error: unknown, context: string) => void) | undefined;
  /** Outgoing webhook HTTP; webhooks cannot be created or delivered without it (a core built for a tool). */
  webhookSender?: WebhookSender | undefined;
  /** Where webhook delivery problems are reported (a log). */
  onWebhookError?: ((error: unknown, context: string) => void) | undefined;
  /** The OIDC provider's client, when single sign-on is configured. */
  oidc?: OidcClient | undefined;
  /** Where a publish the bus refused after a committed change is reported (a log). */
  onPublishFailure?: PublishFailureHandler | undefined;
}

export type Core = Awaited<ReturnType<typeof createCore>>;

export type CoreConfig = Pick<Config, 'tokenTtlSeconds' | 'tokenSigningKey' | 'rateLimits' | 'uploadMaxBytes' | 'uploadUnattachedTtlSeconds'> & {
  realtime?: Pick<Config['realtime'], 'eventRetentionSeconds'> &
    Partial<Pick<Config['realtime'], 'replayPageEvents' | 'presenceAwaySeconds' | 'presenceHeartbeatSeconds'>>;
} & Partial<Pick<Config, 'vonageApplicationId' | 'vonagePrivateKey' | 'publicUrl' | 'faults' | 'oidc' | 'messageRetentionDays'>> & {
    push?: Pick<Config['push'], 'preview' | 'retryBaseMs' | 'maxAttempts' | 'concurrency'>;
    webhooks?: Pick<Config['webhooks'], 'retryBaseMs' | 'maxAttempts' | 'timeoutMs' | 'concurrency'>;
  };

const PUSH_DEFAULTS = { preview: 'full', retryBaseMs: 2000, maxAttempts: 8, concurrency: 16 } as const;
const WEBHOOK_DEFAULTS = { retryBaseMs: 2000, maxAttempts: 12, timeoutMs: 10_000, concurrency: 8 } as const;

export async function createCore(ports: CorePorts, config: CoreConfig) {
  const { store, blobs, hasher, limiter, clock } = ports;
  const metrics = ports.metrics ?? noopMetrics;
  // The services publish after their change is stored: a bus outage never fails the change.
  const bus = afterCommitBus(ports.bus, metrics, ports.onPublishFailure);
  const tokens = await createTokenService({ store, clock, ttlSeconds: config.tokenTtlSeconds, configuredKeyPem: config.tokenSigningKey });
  const throttle = createThrottle(limiter, config.rateLimits, metrics);
  const sessions = createSessionsService({ store, bus, tokens, clock });
  const media = createMediaService({
    store,
    blobs,
    clock,
    maxBytes: config.uploadMaxBytes,
    unattachedTtlSeconds: config.uploadUnattachedTtlSeconds,
    imageConcurrency: config.faults?.imageConcurrency,
    uploadLeaseSeconds: config.faults?.uploadLeaseSeconds,
  });
  const twoFactor = createTwoFactorService({ store, hasher, throttle, clock });
  const accounts = await createAccountsService({ store, bus, hasher, sessions, media, throttle, twoFactor, clock, metrics });
  const bots = createBotsService({ store, accounts, sessions, clock });
  const oidc = createOidcService({ store, clock, accounts, sessions, client: ports.oidc, settings: config.oidc ?? undefined });
  const audit = createAuditService({ store, clock });
  const admin = createAdminService({ store, bus, hasher, accounts, sessions, tokens, audit, clock });
  // A key rotated elsewhere (the admin CLI, another node) signs here from now on too.
  bus.subscribe('signing-keys.rotated', () => void tokens.reload().catch(() => {}));
  const webhooks = createWebhooksService({ store, clock, sender: ports.webhookSender });
  const webhookWorker = createWebhookWorker({
    store,
    clock,
    sender: ports.webhookSender,
    webhooks,
    ...(config.webhooks ?? WEBHOOK_DEFAULTS),
    onError: (error, context) => ports.onWebhookError?.(error, context),
  });
  // Published after the commit: the new deliveries are visible now. With no webhooks at all
  // (known from the list read for the event) there are none, and a look per event cost more
  // than a reaction's own statements.
  bus.subscribe('chat.event', () => {
    if (webhooks.mayHaveDeliveries()) webhookWorker.kick();
  });
  const events = createChatEvents({ store, bus, clock, webhooks });
  const users = createUsersService({ store, bus, events, media, clock });
  const chats = createChatsService({ store, events, media, clock });
  const senders = ports.push ?? {};
  const pushConfig = config.push ?? PUSH_DEFAULTS;
  const presence = createPresence({
    store,
    bus,
    clock,
    awayMs: (config.realtime?.presenceAwaySeconds ?? 300) * 1000,
    heartbeatMs: (config.realtime?.presenceHeartbeatSeconds ?? 20) * 1000,
  });
  const push = createPushService({ store, clock, senders, presence, preview: pushConfig.preview });
  const pushWorker = createPushWorker({
    store,
    clock,
    senders,
    metrics,
    presence,
    push,
    ...pushConfig,
    onError: (error, context) => ports.onPushError?.(error, context),
  });
  // Moderator actions (roles, bans, a moderator's delete) are recorded in the audit log.
  const moderationLog = audit;
  const messages = createMessagesService({ store, events, media, clock, push, throttle, log: moderationLog });
  const chatModeration = createChatModerationService({ store, events, clock, log: moderationLog });
  const reactions = createReactionsService({ store, events, clock });
  const retention = createRetentionService({ store, blobs, clock, serverDays: config.messageRetentionDays ?? 0 });
  const exports = createExportService({ store, blobs, clock, publicUrl: config.publicUrl ?? 'http://localhost:3000' });
  const reports = createReportsService({ store, clock, throttle, audit, admin, eraseMessage: messages.eraseAsAdmin });
  const pins = createPinsService({ store, events, clock });
  const threads = createThreadsService({ store });
  const contacts = createContactsService({ store, clock });
  const blocks = createBlocksService({ store, clock });
  const incomingHooks = createIncomingHooksService({ store, clock, bots, chats, messages });
  const rooms = createRoomsService({ store, bus, clock, throttle });
  const eventLog = createEventLogService({
    store,
    clock,
    retentionSeconds: config.realtime?.eventRetentionSeconds ?? 7 * 24 * 3600,
    ...(config.realtime?.replayPageEvents ? { pageSize: config.realtime.replayPageEvents } : {}),
  });
  const search = createSearchService({ store, index: ports.search });
  const vonageTokens = createVonageTokens({ store, clock, applicationId: config.vonageApplicationId, privateKeyPem: config.vonagePrivateKey });
  const vapp = createVappService({
    store,
    accounts,
    users,
    media,
    tokens: vonageTokens,
    vonage: ports.vonage,
    clock,
    publicUrl: config.publicUrl ?? 'http://localhost:3000',
  });
  const vappConversations = createVappConversationsService({
    store,
    chats,
    messages,
    vapp,
    vonage: ports.vonage,
    clock,
    publicUrl: config.publicUrl ?? 'http://localhost:3000',
  });
  return {
    ports,
    metrics,
    presence,
    push,
    pushWorker,
    webhooks,
    webhookWorker,
    tokens,
    throttle,
    sessions,
    media,
    accounts,
    twoFactor,
    oidc,
    bots,
    audit,
    admin,
    users,
    events,
    eventLog,
    chats,
    chatModeration,
    messages,
    reactions,
    reports,
    threads,
    retention,
    exports,
    pins,
    contacts,
    blocks,
    incomingHooks,
    rooms,
    search,
    vonageTokens,
    vapp,
    vappConversations,
  };
}
