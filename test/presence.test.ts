/**
 * Presence on one node (issue 19): `presence` events to co-members and to users who have the
 * user as a contact, away after PRESENCE_AWAY_SECONDS without a frame, the chosen status
 * (dnd, invisible looks offline) kept in the store, offline when the last socket closes, and
 * the snapshot route. Waits are for frames, never fixed sleeps.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, client, invalidNames, problemOf, register, startApp, type Registered, type TestApp } from './helpers.js';
import { WebSocket } from 'ws';
import { ParleyClient, type PresenceInfo } from '../client/src/index.js';
import { connect, listen, type TestSocket } from './ws-helpers.js';

describe('presence', () => {
  let t: TestApp;
  let url: string;
  /** alice and bob share a chat; carol has alice as a contact; dave shares nothing with alice (a chat with erin). */
  let alice: Registered, bob: Registered, carol: Registered, dave: Registered, erin: Registered;
  const sockets: TestSocket[] = [];
  let aliceS: TestSocket, bobS: TestSocket, carolS: TestSocket, erinS: TestSocket;
  const open = async (token: string) => {
    const s = await connect(`${url}/ws?token=${token}`);
    sockets.push(s);
    return s;
  };
  /** The statuses of `user` a socket was told of, in order. */
  const statusesOf = (s: TestSocket, user: Registered) =>
    s
      .of('presence')
      .filter((f) => f.payload.userId === user.id)
      .map((f) => f.payload.status as string);
  /** Waits until `s` is told `user` is `status`, after the first `mark` statuses it was told. */
  const waitNext = (s: TestSocket, user: Registered, status: string, mark: number) =>
    s.until(() => statusesOf(s, user).slice(mark).includes(status), 10_000, `${user.username} ${status}`);
  const choose = (who: Registered, status: string) => client(t.app, who.token)('PUT', '/users/me/presence', { status });

  before(async () => {
    t = await startApp({ PRESENCE_AWAY_SECONDS: '1' });
    url = await listen(t);
    [alice, bob, carol, dave, erin] = [await register(t.app), await register(t.app), await register(t.app), await register(t.app), await register(t.app)];
    assert.equal((await client(t.app, alice.token)('POST', '/chats', { participants: [bob.id] })).statusCode, 200);
    assert.equal((await client(t.app, dave.token)('POST', '/chats', { participants: [erin.id] })).statusCode, 200);
    assert.equal((await client(t.app, carol.token)('POST', '/users/me/contacts', { user: { id: alice.id } })).statusCode, 200);
  });
  after(async () => {
    for (const s of sockets) s.ws.terminate();
    await t.destroy();
  });

  it('refuses without a token (401) and bad input (400)', async () => {
    problemOf(await t.app.inject({ method: 'PUT', url: '/users/me/presence', payload: { status: 'away' } }), 401);
    problemOf(await t.app.inject({ method: 'GET', url: '/users/presence?ids=1' }), 401);
    problemOf(await choose(alice, 'busy'), 400);
    problemOf(await client(t.app, alice.token)('PUT', '/users/me/presence', {}), 400);
    assert.deepEqual(invalidNames(await client(t.app, alice.token)('GET', '/users/presence?ids=1,x')), ['ids']);
    assert.deepEqual(invalidNames(await client(t.app, alice.token)('GET', '/users/presence?ids=0')), ['ids']);
    const many = Array.from({ length: 201 }, (_, i) => i + 1).join(',');
    assert.deepEqual(invalidNames(await client(t.app, alice.token)('GET', `/users/presence?ids=${many}`)), ['ids']);
    problemOf(await client(t.app, alice.token)('GET', '/users/presence'), 400);
  });

  it('tells co-members and contact owners that a user is online, and nobody else', async () => {
    [bobS, carolS, erinS] = [await open(bob.token), await open(carol.token), await open(erin.token)];
    aliceS = await open(alice.token);
    await waitNext(bobS, alice, 'online', 0);
    await waitNext(carolS, alice, 'online', 0);
    const [frame] = bobS.of('presence').filter((f) => f.payload.userId === alice.id);
    assert.equal(frame!.source, String(alice.id));
    assert.equal(frame!.cursor, undefined, 'presence is volatile: no cursor');
    assert.equal(typeof frame!.payload.lastSeen, 'string');
    // dave comes online after alice: erin hears of dave, and had heard nothing of alice before.
    const daveS = await open(dave.token);
    await waitNext(erinS, dave, 'online', 0);
    assert.deepEqual(statusesOf(erinS, alice), []);
    assert.deepEqual(statusesOf(daveS, alice), []);
    assert.deepEqual(statusesOf(aliceS, alice), [], 'not told of oneself');
    // The snapshot: bob sees alice; dave shares nothing with her, so she is left out.
    const seen = (await client(t.app, bob.token)('GET', `/users/presence?ids=${alice.id},${bob.id}`)).json();
    assert.deepEqual(
      seen.map((p: any) => p.userId),
      [alice.id, bob.id],
    );
    assert.deepEqual((await client(t.app, dave.token)('GET', `/users/presence?ids=${alice.id}`)).json(), []);
  });

  it('shows a user away after PRESENCE_AWAY_SECONDS without a frame, online again when one comes', async () => {
    await waitNext(bobS, alice, 'away', 0);
    const mark = statusesOf(bobS, alice).length;
    aliceS.send({ action: 'read', chatId: 'none', messageId: 1, requestId: 'r1' });
    await waitNext(bobS, alice, 'online', mark);
  });

  it('keeps the chosen status: dnd shows as dnd, invisible as offline, online is automatic again', async () => {
    let mark = statusesOf(bobS, alice).length;
    const dnd = await choose(alice, 'dnd');
    assert.equal(dnd.statusCode, 200, dnd.body);
    assert.deepEqual([dnd.json().status, dnd.json().shownAs], ['dnd', 'dnd']);
    await waitNext(bobS, alice, 'dnd', mark);
    mark = statusesOf(bobS, alice).length;
    const invisible = await choose(alice, 'invisible');
    assert.deepEqual([invisible.json().status, invisible.json().shownAs], ['invisible', 'offline']);
    await waitNext(bobS, alice, 'offline', mark);
    const snapshot = (await client(t.app, bob.token)('GET', `/users/presence?ids=${alice.id}`)).json();
    assert.equal(snapshot[0].status, 'offline');
    assert.equal((await client(t.app, alice.token)('GET', '/users/me/presence')).json().status, 'invisible');
    // Stored, not kept in memory: a new socket of hers stays invisible.
    const again = await open(alice.token);
    again.send({ action: 'read', chatId: 'none', messageId: 1, requestId: 'r2' });
    await again.waitFor('ack');
    assert.equal((await client(t.app, bob.token)('GET', `/users/presence?ids=${alice.id}`)).json()[0].status, 'offline');
    mark = statusesOf(bobS, alice).length;
    // Automatic again: online, or away when her sockets sent nothing for a second.
    const online = await choose(alice, 'online');
    assert.ok(['online', 'away'].includes(online.json().shownAs), online.body);
    await bobS.until(
      () =>
        statusesOf(bobS, alice)
          .slice(mark)
          .some((s) => s !== 'offline'),
      10_000,
      'alice back',
    );
  });

  it('hides a user’s presence from those they blocked', async () => {
    // erin blocks dave (they share a chat): dave neither hears of her nor sees her in a snapshot.
    assert.equal((await client(t.app, erin.token)('PUT', `/users/me/blocks/${dave.id}`)).statusCode, 200);
    assert.deepEqual((await client(t.app, dave.token)('GET', `/users/presence?ids=${erin.id}`)).json(), []);
    const daveS = await open(dave.token);
    await choose(erin, 'dnd');
    // dave hears later changes of others (alice's), never erin's.
    const mark = statusesOf(daveS, alice).length;
    assert.equal((await client(t.app, alice.token)('POST', '/chats', { participants: [dave.id] })).statusCode, 200);
    await choose(alice, 'dnd');
    await waitNext(daveS, alice, 'dnd', mark);
    assert.deepEqual(statusesOf(daveS, erin), []);
    await choose(alice, 'online');
    await choose(erin, 'online');
    assert.equal((await client(t.app, erin.token)('DELETE', `/users/me/blocks/${dave.id}`)).statusCode, 200);
    assert.equal((await client(t.app, dave.token)('GET', `/users/presence?ids=${erin.id}`)).json().length, 1);
  });

  it('shows a user offline only when their last socket closes', async () => {
    const login = await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(erin.username, erin.password) });
    assert.equal(login.statusCode, 200, login.body);
    const daveS = await open(dave.token);
    const second = await open(login.json().token);
    erinS.close();
    await erinS.waitClosed();
    // Until the server has forgotten the first socket (its row gone), then one more change of hers.
    await until(async () => (await t.app.core.ports.store.presence.socketCounts([erin.id], 0))[0]?.sockets === 1);
    await choose(erin, 'dnd');
    await waitNext(daveS, erin, 'dnd', 0);
    // (Her new socket may first have made her online again from away.)
    assert.ok(!statusesOf(daveS, erin).includes('offline'), `still connected: not offline in between (${statusesOf(daveS, erin)})`);
    second.close();
    await waitNext(daveS, erin, 'offline', 0);
    const [gone] = daveS.of('presence').filter((f) => f.payload.userId === erin.id && f.payload.status === 'offline');
    const profile = (await client(t.app, dave.token)('GET', `/users/${erin.id}`)).json();
    assert.equal(profile.lastSeen, gone!.payload.lastSeen, 'UserInfo lastSeen is the time she went offline');
  });
});

describe('presence through the client library', () => {
  let t: TestApp;
  after(() => t?.destroy());

  it('sets and reads the caller’s presence, snapshots others’ and hears presence events', async () => {
    t = await startApp();
    const base = (await listen(t)).replace('ws://', 'http://');
    const [ivy, jon] = [new ParleyClient({ baseUrl: base, WebSocket }), new ParleyClient({ baseUrl: base, WebSocket })];
    await ivy.register({ name: 'Ivy', username: `ivy${process.pid}`, password: 'correct horse battery' });
    const jonMe = await jon.register({ name: 'Jon', username: `jon${process.pid}`, password: 'correct horse battery' });
    await ivy.createChat({ participants: [jonMe.id] });
    const heard: PresenceInfo[] = [];
    const socket = ivy.socket();
    const jonSocket = jon.socket();
    try {
      socket.on('presence', (p) => heard.push(p));
      await socket.once('open');
      await jonSocket.once('open');
      assert.deepEqual(
        (await ivy.presenceOf([jonMe.id])).map((p) => p.status),
        ['online'],
      );
      const chosen = await jon.setPresence('invisible');
      assert.deepEqual([chosen.status, chosen.shownAs], ['invisible', 'offline']);
      await until(async () => heard.some((p) => p.userId === jonMe.id && p.status === 'offline'));
      assert.equal((await jon.myPresence()).status, 'invisible');
    } finally {
      socket.close();
      jonSocket.close();
    }
  });
});

/** Polls `check` (a store read) until it holds; for server-side state no frame announces. */
async function until(check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
