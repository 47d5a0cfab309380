/**
 * Blocks, bans and the send limit hold across nodes (issue 21): two real server processes on
 * one PostgreSQL and one Redis; a block, a ban or used-up sends on one node are in force on
 * the other at once (each is read from the store, nothing is cached per node).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { http, registerOn, type RemoteUser } from './server-process.js';
import { nodeServices, startNodes, type Nodes } from './two-nodes.js';

const services = await nodeServices();

describe('blocks, bans and send limits on two nodes', { skip: services.skip }, () => {
  let nodes: Nodes;
  let alice: RemoteUser, bob: RemoteUser, carol: RemoteUser;
  before(async () => {
    nodes = await startNodes({ RATE_LIMITS: 'send_user=3/1m' });
    [alice, bob, carol] = [await registerOn(nodes.a.url), await registerOn(nodes.b.url), await registerOn(nodes.a.url)];
  });
  after(() => nodes?.close());

  it('refuses on node b what a block made on node a forbids, and a ban likewise', async () => {
    assert.equal((await http(`${nodes.a.url}/users/me/blocks/${alice.id}`, { method: 'PUT', token: bob.token })).status, 200);
    assert.equal((await http(`${nodes.b.url}/chats`, { token: alice.token, body: { participants: [bob.id] } })).status, 403);
    assert.equal((await http(`${nodes.b.url}/chats`, { token: alice.token, body: { participants: [bob.id, carol.id], isPersonal: false } })).status, 403);
    const group = await http(`${nodes.a.url}/chats`, { token: carol.token, body: { participants: [alice.id], isPersonal: false, title: 'g' } });
    assert.equal(group.status, 200);
    assert.equal((await http(`${nodes.a.url}/chats/${group.body.id}/bans/${alice.id}`, { method: 'PUT', token: carol.token })).status, 200);
    assert.equal((await http(`${nodes.b.url}/chats/${group.body.id}/users`, { token: carol.token, body: { users: [alice.id] } })).status, 403);
  });

  it('counts sends of one user on both nodes together', async () => {
    const chat = await http(`${nodes.a.url}/chats`, { token: carol.token, body: { participants: [bob.id] } });
    const send = (url: string) => http(`${url}/chats/${chat.body.id}/messages`, { token: carol.token, body: { localId: randomUUID(), text: 'hi' } });
    assert.deepEqual([(await send(nodes.a.url)).status, (await send(nodes.b.url)).status, (await send(nodes.a.url)).status], [200, 200, 200]);
    assert.equal((await send(nodes.b.url)).status, 429);
  });
});
