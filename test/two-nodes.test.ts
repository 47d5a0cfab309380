/**
 * Two real server processes on one PostgreSQL and one Redis behave as one server for native
 * sockets: events cross nodes, a logout on one node closes sockets held by the other, and a
 * client whose node dies catches up on the surviving one from its cursor.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { http, registerOn, type RemoteUser } from './server-process.js';
import { nodeServices, startNodes, type Nodes } from './two-nodes.js';
import { connect, type Frame, type TestSocket } from './ws-helpers.js';

const services = await nodeServices();

describe('two server processes on one PostgreSQL and one Redis', { skip: services.skip }, () => {
  let nodes: Nodes;
  let alice: RemoteUser, bob: RemoteUser, carol: RemoteUser;
  let chatId: string;
  const sockets: TestSocket[] = [];
  const open = async (wsUrl: string, user: RemoteUser, since?: number) => {
    const socket = await connect(`${wsUrl}/ws?token=${user.token}${since === undefined ? '' : `&since=${since}`}`);
    sockets.push(socket);
    return socket;
  };
  const send = async (url: string, user: RemoteUser, text: string) => {
    const res = await http(`${url}/chats/${chatId}/messages`, { token: user.token, body: { localId: randomUUID(), text } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { id: number; seq: number; text: string };
  };
  const messagesIn = (socket: TestSocket): Frame[] => socket.of('message').filter((f) => f.payload.chatId === chatId);

  before(async () => {
    nodes = await startNodes();
    alice = await registerOn(nodes.a.url);
    bob = await registerOn(nodes.b.url);
    carol = await registerOn(nodes.a.url);
    const chat = await http(`${nodes.a.url}/chats`, { token: alice.token, body: { title: 'Two nodes', participants: [bob.id, carol.id], isPersonal: false } });
    assert.equal(chat.status, 200, JSON.stringify(chat.body));
    chatId = chat.body.id;
  });
  after(async () => {
    for (const socket of sockets) socket.ws.terminate();
    await nodes?.close();
  });

  it('delivers a message sent over HTTP on one node to sockets on the other, both ways', async () => {
    const bobOnB = await open(nodes.b.wsUrl, bob);
    const carolOnA = await open(nodes.a.wsUrl, carol);
    const sent = await send(nodes.a.url, alice, 'from A to B');
    const [frame] = await bobOnB.until(() => messagesIn(bobOnB).length >= 1 && messagesIn(bobOnB), 5000, 'the message on B');
    assert.equal(frame!.payload.id, sent.id);
    assert.equal(frame!.payload.text, 'from A to B');
    assert.equal(frame!.source, String(alice.id));
    const back = await send(nodes.b.url, bob, 'from B to A');
    await carolOnA.until(() => messagesIn(carolOnA).some((f) => f.payload.id === back.id), 5000, 'the message on A');
    bobOnB.close();
    carolOnA.close();
  });

  it('carries a room message from a writer on one node to readers on the other', async () => {
    const room = `cross-${randomUUID().slice(0, 8)}`;
    const readerOnB = await connect(`${nodes.b.wsUrl}/api/v1/rooms/${room}/ws`);
    const writerOnB = await connect(`${nodes.b.wsUrl}/api/v1/rooms/${room}/messages/ws`, [bob.token]);
    const writerOnA = await connect(`${nodes.a.wsUrl}/api/v1/rooms/${room}/messages/ws`, [alice.token]);
    sockets.push(readerOnB, writerOnB, writerOnA);
    writerOnA.send({ text: 'hello from node A' });
    writerOnB.send({ text: 'hello from node B' });
    for (const s of [readerOnB, writerOnA]) {
      await s.until(() => s.frames.flat().length >= 2, 5000, 'both room messages');
      assert.deepEqual(
        s.frames
          .flat()
          .map((m: any) => m.text)
          .sort(),
        ['hello from node A', 'hello from node B'],
      );
    }
    // One room, one table: the history is the same from either node.
    const fromA = await http(`${nodes.a.url}/api/v1/messages?room=${room}`);
    const fromB = await http(`${nodes.b.url}/api/v1/messages?room=${room}`);
    assert.equal(fromA.body.data.length, 2);
    assert.deepEqual(fromA.body.data, fromB.body.data);
    for (const s of [readerOnB, writerOnB, writerOnA]) s.close();
  });

  it('closes a socket held on one node at once (4001) when its session logs out on the other', async () => {
    const dave = await registerOn(nodes.a.url);
    const daveOnA = await open(nodes.a.wsUrl, dave);
    assert.equal((await http(`${nodes.a.url}/users/me`, { token: dave.token })).status, 200);
    const loggedOut = await http(`${nodes.b.url}/users/me/logout`, { method: 'POST', token: dave.token });
    assert.equal(loggedOut.status, 200);
    const at = performance.now();
    assert.equal((await daveOnA.waitClosed(2000)).code, 4001);
    assert.ok(performance.now() - at < 1000, 'closed within a second of the logout');
    assert.equal((await http(`${nodes.a.url}/users/me`, { token: dave.token })).status, 401);
  });

  it('replays everything sent while the client’s node was dead, exactly once and in order, on the surviving node', async () => {
    const onB = await open(nodes.b.wsUrl, bob);
    for (let i = 0; i < 5; i++) await send(nodes.a.url, alice, `before ${i}`);
    const seen = await onB.until(() => messagesIn(onB).length >= 5 && messagesIn(onB), 5000, 'five messages on B');
    const cursor = seen.at(-1)!.cursor!;
    const seenIds = new Set(seen.map((f) => f.payload.id));

    // Alice keeps sending on A while B dies and while Bob reconnects to A.
    const acked: Array<{ id: number; seq: number }> = [];
    let reconnected: TestSocket | undefined;
    for (let i = 0; i < 30; i++) {
      acked.push(await send(nodes.a.url, alice, `meanwhile ${i}`));
      if (i === 4) await nodes.b.kill();
      if (i === 14) reconnected = await open(nodes.a.wsUrl, bob, cursor);
    }
    assert.equal(nodes.b.child.signalCode, 'SIGKILL');
    const back = reconnected!;
    await back.until(() => messagesIn(back).length >= acked.length, 5000, 'every message sent meanwhile');
    await new Promise((resolve) => setTimeout(resolve, 200)); // any duplicate would have arrived by now
    const replayed = messagesIn(back);
    assert.deepEqual(
      replayed.map((f) => f.payload.id),
      acked.map((m) => m.id),
      'each once, in the order sent',
    );
    assert.ok(!replayed.some((f) => seenIds.has(f.payload.id)), 'nothing the client had already seen');
    const cursors = replayed.map((f) => f.cursor!);
    assert.ok(
      cursors.every((c, i) => c > (i === 0 ? cursor : cursors[i - 1]!)),
      'cursors increase from the one the client held',
    );
    const seqs = replayed.map((f) => f.payload.seq as number);
    assert.deepEqual(
      seqs,
      acked.map((m) => m.seq),
    );
    assert.ok(
      seqs.every((s, i) => i === 0 || s === seqs[i - 1]! + 1),
      'no gap in the chat sequence',
    );
  });
});
