/**
 * Presence across two real server processes on one PostgreSQL and one Redis: a user online
 * on one node is announced to a co-member whose socket is on the other, stays online while
 * any of their sockets (on either node) is open, and goes offline when the last one closes
 * or when the node holding it dies.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { http, registerOn, type RemoteUser } from './server-process.js';
import { nodeServices, startNodes, type Nodes } from './two-nodes.js';
import { connect, type TestSocket } from './ws-helpers.js';

const services = await nodeServices();

describe('presence on two nodes', { skip: services.skip }, () => {
  let nodes: Nodes;
  let alice: RemoteUser, bob: RemoteUser, carol: RemoteUser;
  const sockets: TestSocket[] = [];
  const open = async (wsUrl: string, user: RemoteUser) => {
    const socket = await connect(`${wsUrl}/ws?token=${user.token}`);
    sockets.push(socket);
    return socket;
  };
  const statusesOf = (s: TestSocket, user: RemoteUser) =>
    s
      .of('presence')
      .filter((f) => f.payload.userId === user.id)
      .map((f) => f.payload.status as string);
  const waitNext = (s: TestSocket, user: RemoteUser, status: string, mark: number) =>
    s.until(() => statusesOf(s, user).slice(mark).includes(status), 10_000, `${user.id} ${status}`);

  before(async () => {
    nodes = await startNodes();
    alice = await registerOn(nodes.a.url);
    bob = await registerOn(nodes.b.url);
    carol = await registerOn(nodes.a.url);
    const chat = await http(`${nodes.a.url}/chats`, { token: alice.token, body: { participants: [bob.id] } });
    assert.equal(chat.status, 200, JSON.stringify(chat.body));
  });
  after(async () => {
    for (const socket of sockets) socket.ws.terminate();
    await nodes?.close();
  });

  it('announces a user online on one node to a co-member on the other, and not to a stranger', async () => {
    const bobOnB = await open(nodes.b.wsUrl, bob);
    const carolOnB = await open(nodes.b.wsUrl, carol);
    const aliceOnA = await open(nodes.a.wsUrl, alice);
    await waitNext(bobOnB, alice, 'online', 0);
    // Either node answers the snapshot the same way.
    for (const node of [nodes.a, nodes.b]) {
      const seen = await http(`${node.url}/users/presence?ids=${alice.id}`, { token: bob.token });
      assert.equal(seen.status, 200, JSON.stringify(seen.body));
      assert.equal(seen.body[0].status, 'online');
    }
    // dnd chosen on node B reaches bob (on B) from the store, and the setting holds on node A.
    const mark = statusesOf(bobOnB, alice).length;
    const dnd = await http(`${nodes.b.url}/users/me/presence`, { method: 'PUT', token: alice.token, body: { status: 'dnd' } });
    assert.equal(dnd.status, 200, JSON.stringify(dnd.body));
    await waitNext(bobOnB, alice, 'dnd', mark);
    assert.equal((await http(`${nodes.a.url}/users/me/presence`, { token: alice.token })).body.status, 'dnd');
    await http(`${nodes.a.url}/users/me/presence`, { method: 'PUT', token: alice.token, body: { status: 'online' } });
    await waitNext(bobOnB, alice, 'online', mark);
    assert.deepEqual(statusesOf(carolOnB, alice), [], 'carol shares nothing with alice');
    aliceOnA.close();
    await waitNext(bobOnB, alice, 'offline', 0);
  });

  it('keeps a user online while a socket on either node is open; offline when the last closes', async () => {
    const bobOnA = await open(nodes.a.wsUrl, bob);
    const login = await fetch(`${nodes.b.url}/users/login`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${alice.username}:${alice.password}`).toString('base64')}` },
    });
    assert.equal(login.status, 200);
    const second = (await login.json()) as { token: string };
    const aliceOnA = await open(nodes.a.wsUrl, alice);
    await waitNext(bobOnA, alice, 'online', 0);
    const aliceOnB = await connect(`${nodes.b.wsUrl}/ws?token=${second.token}`);
    sockets.push(aliceOnB);
    aliceOnA.close();
    await aliceOnA.waitClosed();
    // One more change after the close: bob hears dnd and never offline in between.
    const mark = statusesOf(bobOnA, alice).length;
    await http(`${nodes.a.url}/users/me/presence`, { method: 'PUT', token: alice.token, body: { status: 'dnd' } });
    await waitNext(bobOnA, alice, 'dnd', mark);
    assert.ok(!statusesOf(bobOnA, alice).slice(mark).includes('offline'), String(statusesOf(bobOnA, alice)));
    assert.equal((await http(`${nodes.a.url}/users/presence?ids=${alice.id}`, { token: bob.token })).body[0].status, 'dnd');
    aliceOnB.close();
    await waitNext(bobOnA, alice, 'offline', mark);
  });

  it('shows the users of a node that dies offline, once its rows go stale', async () => {
    // Two more nodes with a one-second heartbeat: rows are stale after 3 s, and d reaps them. (Nodes
    // should share the setting; a and b hold no socket of alice's here.)
    const quick = { PRESENCE_HEARTBEAT_SECONDS: '1' };
    const c = await nodes.startNode(quick);
    const d = await nodes.startNode(quick);
    const bobOnD = await open(d.wsUrl, bob);
    await http(`${c.url}/users/me/presence`, { method: 'PUT', token: alice.token, body: { status: 'online' } });
    const mark = statusesOf(bobOnD, alice).length;
    await open(c.wsUrl, alice);
    await waitNext(bobOnD, alice, 'online', mark);
    await c.kill();
    await waitNext(bobOnD, alice, 'offline', mark);
    assert.equal((await http(`${d.url}/users/presence?ids=${alice.id}`, { token: bob.token })).body[0].status, 'offline');
  });
});
