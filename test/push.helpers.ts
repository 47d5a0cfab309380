/** An app with every push transport pointed at local stand-ins, and users with push devices. */
import { randomUUID } from 'node:crypto';
import { client, register, startApp, type Registered, type TestApp } from './helpers.js';
import { startApnsStandIn, type ApnsStandIn } from './push-stand-ins/apns.js';
import { startFcmStandIn, type FcmStandIn } from './push-stand-ins/fcm.js';
import { startWebPushStandIn, type WebPushStandIn } from './push-stand-ins/web.js';

export interface PushFixture {
  t: TestApp;
  apns: ApnsStandIn;
  fcm: FcmStandIn;
  web: WebPushStandIn;
  close(): Promise<void>;
}

/** Starts the three stand-ins and an app using them (fast retries); `env` goes over. */
export async function startPushFixture(env: Record<string, string> = {}): Promise<PushFixture> {
  const [apns, fcm, web] = await Promise.all([startApnsStandIn(), startFcmStandIn(), startWebPushStandIn()]);
  const t = await startApp({ ...apns.env, ...fcm.env, ...web.env, PUSH_RETRY_BASE_MS: '50', ...env }, { pushCa: apns.ca });
  return {
    t,
    apns,
    fcm,
    web,
    async close() {
      await t.destroy();
      await Promise.all([apns.close(), fcm.close(), web.close()]);
    },
  };
}

/** A user with one device session on FCM (token `fcm-<uuid>`). */
export async function userWithFcm(t: TestApp): Promise<Registered & { pushToken: string }> {
  const pushToken = `fcm-${randomUUID()}`;
  const user = await register(t.app, { deviceInfo: { id: randomUUID(), name: 'Phone', token: pushToken, transport: 'fcm' } });
  return { ...user, pushToken };
}

/** Logs `user` in on one more device with this push token and transport; returns that session's access token. */
export async function loginDevice(t: TestApp, user: Registered, token: string, transport: string): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/users/login',
    payload: { username: user.username, password: user.password, deviceInfo: { id: randomUUID(), name: transport, token, transport } },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return res.json().token;
}

/** A personal chat of `a` and `b`; returns its id. */
export async function chatOf(t: TestApp, a: Registered, b: Registered): Promise<string> {
  const res = await client(t.app, a.token)('POST', '/chats', { participants: [b.id] });
  if (res.statusCode !== 200) throw new Error(`chat failed: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

/** Sends a text message as `who`; returns the MessageInfo. */
export async function sendText(t: TestApp, who: Registered, chatId: string, text: string) {
  const res = await client(t.app, who.token)('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text });
  if (res.statusCode !== 200) throw new Error(`send failed: ${res.statusCode} ${res.body}`);
  return res.json();
}
