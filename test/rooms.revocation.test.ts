/**
 * A rooms-API socket opened with a token closes (4001) within a second of its session's
 * revocation, whatever revoked it: logout, a password change from another session, an admin
 * disabling the account, an admin ending all its sessions. On one node, and across two nodes
 * on PostgreSQL + Redis (the socket on one, the revocation on the other). An anonymous reader
 * of the same room stays open, and the room keeps only what was sent before.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { parley } from './cli-helpers.js';
import { startApp, type TestApp } from './helpers.js';
import { http, registerOn, type RemoteUser } from './server-process.js';
import { nodeServices, startNodes, type Nodes } from './two-nodes.js';
import { connect, listen, type TestSocket } from './ws-helpers.js';

interface Revocation {
  name: string;
  /** Revokes the session of `user`'s token (the one the room socket holds) through the server at `url`. */
  revoke(url: string, user: RemoteUser, adminToken: string): Promise<void>;
}

const ok = async (answer: Promise<{ status: number; body: unknown }>) => {
  const res = await answer;
  assert.equal(res.status, 200, JSON.stringify(res.body));
};

/** A second session of `user` (the rooms family's login: a native token of a new device session). */
async function secondSession(url: string, user: RemoteUser): Promise<string> {
  const res = await http(`${url}/api/v1/login`, { body: { username: user.username, secret: user.password } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data.token;
}

const REVOCATIONS: Revocation[] = [
  { name: 'logout', revoke: (url, user) => ok(http(`${url}/users/me/logout`, { method: 'POST', token: user.token })) },
  {
    name: 'a password change from another session',
    revoke: async (url, user) => {
      const other = await secondSession(url, user);
      await ok(http(`${url}/users/me/changePassword`, { method: 'PUT', token: other, body: { oldPassword: user.password, newPassword: 'a new password 1' } }));
    },
  },
  { name: 'an admin disabling the account', revoke: (url, user, admin) => ok(http(`${url}/admin/users/${user.id}/disable`, { method: 'PUT', token: admin })) },
  {
    name: 'an admin ending all its sessions',
    revoke: (url, user, admin) => ok(http(`${url}/admin/users/${user.id}/sessions`, { method: 'DELETE', token: admin })),
  },
];

/** The checks, with sockets on `socketNode` and revocations through `actionNode`. */
function revocationCases(where: () => { socketUrl: string; socketWsUrl: string; actionUrl: string; adminToken: string }) {
  const sockets: TestSocket[] = [];
  after(() => {
    for (const s of sockets) s.ws.terminate();
  });

  for (const kind of REVOCATIONS) {
    it(`closes a room socket with 4001 within a second of ${kind.name}`, async () => {
      const { socketUrl, socketWsUrl, actionUrl, adminToken } = where();
      const user = await registerOn(socketUrl, 'revoked');
      const room = `revoke${process.pid}x${sockets.length}`;
      const writer = await connect(`${socketWsUrl}/api/v1/rooms/${room}/messages/ws`, [user.token]);
      const reader = await connect(`${socketWsUrl}/api/v1/rooms/${room}/ws`);
      sockets.push(writer, reader);
      writer.send({ text: 'before' });
      await reader.until(() => reader.frames.some((batch) => batch[0]?.text === 'before'), 5000, 'the first message');

      await kind.revoke(actionUrl, user, adminToken);
      const at = performance.now();
      const closed = await writer.waitClosed(3000);
      const took = performance.now() - at;
      assert.equal(closed.code, 4001);
      assert.equal(closed.reason, 'session revoked');
      assert.ok(took < 1000, `closed ${Math.round(took)} ms after the revocation`);

      // The reader without a token is not anyone's session: it stays, and hears nothing more.
      assert.equal(reader.closed, undefined);
      const history = await http(`${socketUrl}/api/v1/messages?room=${room}&count=10`);
      assert.deepEqual(
        history.body.data.map((m: { text: string }) => m.text),
        ['before'],
      );
      // And the token no longer opens a room socket.
      await assert.rejects(connect(`${socketWsUrl}/api/v1/rooms/${room}/ws`, [user.token]), { status: 401 });
    });
  }
}

describe('room sockets and revocation, one node', () => {
  let t: TestApp;
  let base: { http: string; ws: string };
  let admin: RemoteUser;
  before(async () => {
    t = await startApp();
    const ws = await listen(t);
    base = { ws, http: ws.replace('ws:', 'http:') };
    admin = await registerOn(base.http, 'admin');
    await t.app.core.admin.setRole(admin.username, 'admin');
  });
  after(() => t.destroy());

  revocationCases(() => ({ socketUrl: base.http, socketWsUrl: base.ws, actionUrl: base.http, adminToken: admin.token }));

  it('closes a socket whose session was revoked between its token check and its joining the hub', async () => {
    const user = await registerOn(base.http, 'racing');
    // The revocation's bus message, arriving before the socket joins (the store still has the
    // session, as it did when the token was checked a moment before).
    await t.app.core.ports.bus.publish('sessions.revoked', { userId: user.id, sessionIds: [user.sessionId] });
    const room = await connect(`${base.ws}/api/v1/rooms/racing${process.pid}/messages/ws`, [user.token]);
    const native = await connect(`${base.ws}/ws?token=${user.token}`);
    try {
      assert.equal((await room.waitClosed(1000)).code, 4001);
      assert.equal((await native.waitClosed(1000)).code, 4001);
    } finally {
      room.ws.terminate();
      native.ws.terminate();
    }
  });
});

// Skipped with a message when PostgreSQL or Redis is absent; a failure under PARLEY_REQUIRE_SERVICES=1.
const services = await nodeServices();

describe('room sockets and revocation, two nodes on PostgreSQL + Redis', { skip: services.skip }, () => {
  let nodes: Nodes;
  let admin: RemoteUser;
  before(async () => {
    nodes = await startNodes();
    admin = await registerOn(nodes.b.url, 'admin');
    // Promoted as an operator would, with the admin CLI on the same database and Redis.
    const promoted = await parley(['users', 'promote', admin.username], { ...nodes.env, DATA_DIR: tmpdir() });
    assert.equal(promoted.code, 0, promoted.stderr);
  });
  after(() => nodes?.close());

  revocationCases(() => ({ socketUrl: nodes.a.url, socketWsUrl: nodes.a.wsUrl, actionUrl: nodes.b.url, adminToken: admin.token }));
});
