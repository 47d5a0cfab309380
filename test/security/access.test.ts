/**
 * Attack suite, access control: every object route tried with another user's ids (chats,
 * messages, uploads, photos, contacts, sessions), over HTTP and the socket. Each attempt is
 * refused with the documented status (404 for what the caller may not see, 403 for a member
 * who may see but not do), and the victim's data is exactly what it was before.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { client, register, type Registered, type TestApp } from '../helpers.js';
import { makePng, upload } from '../media-helpers.js';
import { connect, listen } from '../ws-helpers.js';
import { assertNothingLeaked, note, recordResponses, startRecordedApp, type Recorded } from './support.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

describe('security: nobody reaches another user’s objects', () => {
  let t: TestApp;
  let seen: Recorded[];
  let owner: Registered; // A: owns everything below
  let member: Registered; // C: a member of A's group, not its owner
  let outsider: Registered; // B: in none of A's chats
  let former: Registered; // D: was in A's group, left
  const ids = {} as {
    personal: string;
    group: string;
    ownMessage: string;
    groupMessage: string;
    memberMessage: string;
    photo: string;
    spare: string;
    chatImage: string;
    contact: string;
    outsiderGroup: string;
    outsiderUpload: string;
  };

  const as = (user: Registered) => client(t.app, user.token);
  const uploadPng = async (user: Registered) => {
    const res = await upload(t.app, await makePng(40, 30), { token: user.token, contentType: 'image/png' });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json().name as string).split('.')[0]!;
  };
  const ok = async (promise: Promise<{ statusCode: number; body: string; json(): any }>) => {
    const res = await promise;
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };

  /** Everything A and C can see of A's objects, without the fields that move by themselves. */
  async function snapshot() {
    const strip = (value: unknown): unknown => JSON.parse(JSON.stringify(value), (key, v) => (key === 'lastSeen' ? undefined : v));
    const a = as(owner);
    const c = as(member);
    return strip({
      me: (await a('GET', '/users/me')).json(),
      chats: (await a('GET', '/chats?full=1')).json(),
      personal: (await a('GET', `/chats/${ids.personal}/messages?count=200`)).json(),
      group: (await a('GET', `/chats/${ids.group}/messages?count=200`)).json(),
      groupInfo: (await a('GET', `/chats/${ids.group}`)).json(),
      blocked: (await a('GET', `/chats/${ids.group}/users/blocked`)).json(),
      contacts: (await a('GET', '/users/me/contacts')).json(),
      memberChats: (await c('GET', '/chats?full=1')).json(),
      files: await Promise.all([ids.photo, ids.spare, ids.chatImage].map(async (id) => (await t.app.inject(`/uploads/${id}.png`)).statusCode)),
    });
  }

  before(async () => {
    ({ t } = await startRecordedApp());
    seen = recordResponses(t.app);
    [owner, member, outsider, former] = [await register(t.app), await register(t.app), await register(t.app), await register(t.app)];
    await ok(as(owner)('PUT', '/users/me/setAccountKey', { password: owner.password, accountKey: 'owner account key' }));
    ids.personal = (await ok(as(owner)('POST', '/chats', { participants: [member.id] }))).id;
    ids.group = (await ok(as(owner)('POST', '/chats', { title: 'A’s group', participants: [member.id, former.id], isPersonal: false }))).id;
    ids.ownMessage = (await ok(as(owner)('POST', `/chats/${ids.personal}/messages`, { localId: 'p1', text: 'personal secret' }))).id;
    ids.groupMessage = (await ok(as(owner)('POST', `/chats/${ids.group}/messages`, { localId: 'g1', text: 'group secret' }))).id;
    ids.memberMessage = (await ok(as(member)('POST', `/chats/${ids.group}/messages`, { localId: 'g2', text: 'member text' }))).id;
    ids.photo = await uploadPng(owner);
    await ok(as(owner)('POST', '/users/me/photos', { photo: { id: ids.photo } }));
    ids.spare = await uploadPng(owner);
    ids.chatImage = await uploadPng(owner);
    await ok(as(owner)('POST', `/chats/${ids.group}/images`, { image: { id: ids.chatImage } }));
    ids.contact = (await ok(as(owner)('POST', '/users/me/contacts', { name: 'C', user: { id: member.id } }))).id;
    await ok(as(former)('DELETE', `/chats/${ids.group}/me`));
    ids.outsiderGroup = (await ok(as(outsider)('POST', '/chats', { title: 'B’s group', participants: [member.id], isPersonal: false }))).id;
    ids.outsiderUpload = await uploadPng(outsider);
  });
  after(() => t.destroy());

  /** [who, method, url, body, expected status]. */
  function attempts(): Array<[string, Registered, Method, string, unknown, number]> {
    const g = `/chats/${ids.group}`;
    const p = `/chats/${ids.personal}`;
    const outsiderTries: Array<[Method, string, unknown?]> = [
      ['GET', p],
      ['GET', g],
      ['PUT', g, { title: 'pwned' }],
      ['PUT', `${g}/settings`, { isMuted: true }],
      ['POST', `${g}/images`, { image: { id: ids.outsiderUpload } }],
      ['DELETE', `${g}/images/${ids.chatImage}`],
      ['POST', `${g}/users`, { users: [outsider.id] }],
      ['DELETE', `${g}/users`, { users: [member.id] }],
      ['DELETE', g],
      ['DELETE', `${g}/me`],
      ['DELETE', `${g}/messages`],
      ['DELETE', `${p}/messages`],
      ['PUT', `${g}/block`],
      ['PUT', `${g}/unblock`],
      ['PUT', `${g}/users/${member.id}/block`],
      ['PUT', `${g}/users/${member.id}/unblock`],
      ['GET', `${g}/users/blocked`],
      ['POST', `${g}/messages`, { localId: 'x1', text: 'intruder' }],
      ['GET', `${g}/messages`],
      ['GET', `${p}/messages`],
      ['DELETE', `${g}/messages/${ids.groupMessage}`],
      ['PUT', `${g}/messages/${ids.groupMessage}`, { text: 'pwned' }],
      ['PUT', `${g}/messages/${ids.groupMessage}/read`],
      ['PUT', `${p}/messages/${ids.ownMessage}/read`],
      ['POST', `${g}/notify`, { name: 'typing' }],
      // A's message ids through a chat of B's own.
      ['GET', `/chats/${ids.outsiderGroup}/messages?before=${ids.groupMessage}`],
      ['PUT', `/chats/${ids.outsiderGroup}/messages/${ids.groupMessage}`, { text: 'pwned' }],
      ['DELETE', `/chats/${ids.outsiderGroup}/messages/${ids.groupMessage}`],
      ['PUT', `/chats/${ids.outsiderGroup}/messages/${ids.groupMessage}/read`],
      // A's uploads and photos.
      ['POST', '/users/me/photos', { photo: { id: ids.spare } }],
      ['POST', '/users/me/photos', { photo: { id: ids.photo } }],
      ['DELETE', `/users/me/photos/${ids.photo}`],
      ['POST', `/chats/${ids.outsiderGroup}/images`, { image: { id: ids.spare } }],
      ['POST', `/chats/${ids.outsiderGroup}/messages`, { localId: 'x2', text: 'steal', attachment: { id: ids.spare, fileType: 'png', fileSize: 1 } }],
      // A's contact.
      ['DELETE', `/users/me/contacts/${ids.contact}`],
    ];
    const list: Array<[string, Registered, Method, string, unknown, number]> = outsiderTries.map(([m, u, b]) => ['outsider', outsider, m, u, b, 404]);
    for (const [m, u, b] of outsiderTries.slice(0, 25)) if (!u.includes(ids.personal) || m !== 'DELETE') list.push(['former member', former, m, u, b, 404]);
    // The former member may undo a block of theirs, but has none here: 404 too (already listed).
    const memberTries: Array<[Method, string, unknown?]> = [
      ['DELETE', g],
      ['DELETE', `${g}/users`, { users: [owner.id] }],
      ['PUT', `${g}/users/${owner.id}/block`],
      ['DELETE', `${g}/messages`],
      ['DELETE', `${g}/images/${ids.chatImage}`],
      ['PUT', `${g}/messages/${ids.groupMessage}`, { text: 'pwned' }],
      ['DELETE', `${g}/messages/${ids.groupMessage}`],
      ['PUT', `${p}/messages/${ids.ownMessage}`, { text: 'pwned' }],
      ['DELETE', `${p}/messages/${ids.ownMessage}`],
    ];
    for (const [m, u, b] of memberTries) list.push(['member', member, m, u, b, 403]);
    list.push(['member', member, 'POST', '/users/me/photos', { photo: { id: ids.spare } }, 404]);
    list.push(['member', member, 'POST', `${g}/images`, { image: { id: ids.spare } }, 404]);
    list.push(['member', member, 'DELETE', `/users/me/contacts/${ids.contact}`, undefined, 404]);
    return list;
  }

  it('refuses every attempt with 404 (not visible) or 403 (visible, not allowed), and changes nothing', async () => {
    const before = await snapshot();
    const list = attempts();
    assert.ok(list.length > 60);
    for (const [who, user, method, url, body, status] of list) {
      const res = await as(user)(method, url, body);
      assert.equal(res.statusCode, status, `${who} ${method} ${url}: ${res.statusCode} ${res.body}`);
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    }
    assert.deepEqual(await snapshot(), before);
    // The snapshot is sensitive: a change A makes shows up in it.
    await ok(as(owner)('PUT', `/chats/${ids.group}/settings`, { isMuted: true }));
    assert.notDeepEqual(await snapshot(), before);
    await ok(as(owner)('PUT', `/chats/${ids.group}/settings`, { isMuted: false }));
  });

  it('another user’s profile shows no sessions, email or account data', async () => {
    const res = await as(outsider)('GET', `/users/${owner.id}`);
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.deviceSessions, undefined);
    assert.equal(body.email, undefined);
    const search = (await as(outsider)('GET', `/users?s=${owner.username}`)).json();
    assert.equal(search.length, 1);
    assert.equal(search[0].deviceSessions, undefined);
  });

  it('sockets: another session’s path is 401; socket actions on another’s chat are refused', async () => {
    const base = await listen(t);
    await assert.rejects(connect(`${base}/${owner.sessionId}`, outsider.token), /401/);
    const socket = await connect(`${base}/ws`, outsider.token);
    try {
      socket.send({ action: 'send', chatId: ids.group, localId: 'ws1', text: 'intruder', requestId: 's' });
      socket.send({ action: 'read', chatId: ids.group, messageId: ids.groupMessage, requestId: 'r' });
      socket.send({ action: 'notify', chatId: ids.group, name: 'typing', requestId: 'n' });
      socket.send({ action: 'read', chatId: ids.outsiderGroup, messageId: ids.groupMessage, requestId: 'r2' });
      const acks = await socket.waitFor('ack', 4);
      for (const ack of acks) {
        note(seen, 'socket ack', 0, JSON.stringify(ack));
        assert.equal(ack.payload.ok, false, JSON.stringify(ack));
        assert.equal(ack.payload.error, 'not_found', JSON.stringify(ack));
      }
      await new Promise((r) => setTimeout(r, 100));
      // No event of A's chats reached the outsider meanwhile.
      await as(owner)('POST', `/chats/${ids.group}/messages`, { localId: 'g3', text: 'not for B' });
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(socket.of('message'), []);
    } finally {
      socket.close();
    }
    const history = (await as(owner)('GET', `/chats/${ids.group}/messages`)).json();
    assert.ok(!history.some((m: { text: string }) => m.text === 'intruder'));
  });

  it('an unknown id answers exactly like another user’s (no probing)', async () => {
    const theirs = await as(outsider)('GET', `/chats/${ids.group}`);
    const unknown = await as(outsider)('GET', `/chats/${randomUUID()}`);
    assert.equal(theirs.statusCode, unknown.statusCode);
    assert.equal(theirs.body, unknown.body);
    const photoTheirs = await as(outsider)('POST', '/users/me/photos', { photo: { id: ids.spare } });
    const photoUnknown = await as(outsider)('POST', '/users/me/photos', { photo: { id: randomUUID() } });
    assert.equal(photoTheirs.body, photoUnknown.body);
  });

  it('no answer carried a password or account-key hash, or a token it did not issue', () => {
    assert.ok(assertNothingLeaked(seen) >= 4);
  });
});
