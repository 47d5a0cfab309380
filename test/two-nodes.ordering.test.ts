/**
 * The event log's order across three nodes: senders on every node write to several chats at
 * once (no global lock serialises them), and a reader who reconnects from any cursor, at any
 * moment, still gets every event after it exactly once. Replays after the load come in
 * cursor order; sockets opened during the load (replay, then live) miss nothing and repeat
 * nothing. Seqs stay gap-free per chat.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { chatHistory, http, registerOn, type RemoteUser, type ServerProcess } from './server-process.js';
import { nodeServices, startNodes, type Nodes } from './two-nodes.js';
import { connect, type TestSocket } from './ws-helpers.js';

const services = await nodeServices();

const CHATS = 4;
const PER_CHAT = 45;
const IN_FLIGHT = 24;

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

describe('event order on three nodes under concurrent senders', { skip: services.skip }, () => {
  let nodes: Nodes;
  let reader: RemoteUser;
  const senders: RemoteUser[] = [];
  const chatIds: string[] = [];
  const sockets: TestSocket[] = [];
  const rand = random(23);
  const nodeAt = (i: number): ServerProcess => nodes.all[i % nodes.all.length]!;
  /** A socket of the reader from `since`, on a device session of its own (one socket per session). */
  const open = async (node: ServerProcess, since: number) => {
    const login = await fetch(`${node.url}/users/login`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${reader.username}:${reader.password}`).toString('base64')}` },
    });
    assert.equal(login.status, 200);
    const { token } = (await login.json()) as { token: string };
    const socket = await connect(`${node.wsUrl}/ws?token=${token}&since=${since}`);
    sockets.push(socket);
    return socket;
  };
  const cursorsOf = (socket: TestSocket): number[] => socket.frames.filter((f) => typeof f.cursor === 'number').map((f) => f.cursor as number);

  before(async () => {
    nodes = await startNodes({}, 3);
    reader = await registerOn(nodes.all[2]!.url, 'reader');
    for (let i = 0; i < CHATS * 2; i++) senders.push(await registerOn(nodeAt(i).url, 'sender'));
    for (let c = 0; c < CHATS; c++) {
      const participants = [reader.id, senders[2 * c + 1]!.id];
      const res = await http(`${nodeAt(c).url}/chats`, { token: senders[2 * c]!.token, body: { title: `Chat ${c}`, participants, isPersonal: false } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      chatIds.push(res.body.id);
    }
  });
  after(async () => {
    for (const socket of sockets) socket.ws.terminate();
    await nodes?.close();
  });

  it('replays from any cursor, during and after the load, give every event once; seqs are gap-free', async () => {
    // The sends: every sender writes to its chat through every node in turn, IN_FLIGHT at a time.
    const jobs = Array.from({ length: CHATS * PER_CHAT }, (_, i) => ({ chat: i % CHATS, sender: senders[2 * (i % CHATS) + ((i >> 2) % 2)]!, node: i }));
    const seenCursors: number[] = [];
    const midLoad: Array<{ since: number; socket: TestSocket }> = [];
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        const node = nodeAt(job.node);
        const res = await http(`${node.url}/chats/${chatIds[job.chat]}/messages`, {
          token: job.sender.token,
          body: { localId: randomUUID(), text: `m${job.node}` },
        });
        assert.equal(res.status, 200, `${JSON.stringify(res.body)}\n${node.output().slice(-3000)}`);
      }
    };
    // While the sends run, the reader reconnects from random cursors it has seen, on random nodes.
    const reconnects = async () => {
      const live = await open(nodes.a, 0);
      while (next < jobs.length) {
        await live.until(() => cursorsOf(live).length > seenCursors.length || next >= jobs.length, 10_000, 'a new event');
        seenCursors.splice(0, seenCursors.length, ...cursorsOf(live));
        const since = seenCursors[Math.floor(rand() * seenCursors.length)]!;
        midLoad.push({ since, socket: await open(nodeAt(Math.floor(rand() * 3)), since) });
      }
    };
    await Promise.all([...Array.from({ length: IN_FLIGHT }, worker), reconnects()]);

    // Everything the reader has, from the start, once and in cursor order.
    const full = await open(nodes.b, 0);
    const expectedMessages = CHATS * PER_CHAT;
    await full.until(() => full.of('message').length >= expectedMessages, 20_000, 'the full replay');
    const all = cursorsOf(full);
    assert.deepEqual(
      all,
      [...new Set(all)].sort((x, y) => x - y),
      'the full replay is in cursor order, each event once',
    );
    assert.equal(full.of('message').length, expectedMessages);

    assert.ok(midLoad.length >= 3, `only ${midLoad.length} reconnects during the load`);
    for (const { since, socket } of midLoad) {
      const want = all.filter((c) => c > since);
      await socket.until(() => cursorsOf(socket).length >= want.length, 20_000, `events after ${since}`);
      const got = cursorsOf(socket);
      assert.deepEqual(
        [...got].sort((x, y) => x - y),
        want,
        `a socket opened during the load from ${since}: every later event once`,
      );
    }

    // Replays after the load from random cursors (and the edges), on every node: in order, complete.
    const picks = [0, all[0]!, all.at(-2)!, ...Array.from({ length: 6 }, () => all[Math.floor(rand() * (all.length - 1))]!)];
    for (const [i, since] of picks.entries()) {
      const socket = await open(nodeAt(i), since);
      const want = all.filter((c) => c > since);
      await socket.until(() => cursorsOf(socket).length >= want.length, 20_000, `replay after ${since}`);
      assert.deepEqual(cursorsOf(socket), want, `replay from ${since} on node ${i % 3}`);
      socket.close();
    }

    for (const chatId of chatIds) {
      const history = await chatHistory<{ id: number; seq: number }>(nodes.all[2]!.url, reader.token, chatId);
      assert.deepEqual(
        history.map((m) => m.seq),
        Array.from({ length: PER_CHAT }, (_, i) => i + 1),
        `seqs of ${chatId}`,
      );
    }
  });
});
