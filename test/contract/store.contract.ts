/**
 * The Store port's contract: the behaviour every adapter must show. Run by
 * `store.contract.test.ts` against each adapter that is available.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { UniqueViolation, type NewUser, type SessionRecord, type Store } from '../../src/ports/store.js';

let n = 0;
const newUser = (overrides: Partial<NewUser> = {}): NewUser => {
  n++;
  return {
    uid: randomUUID(),
    username: `contract${process.pid}_${n}`,
    displayName: `Contract ${n}`,
    email: null,
    passwordHash: '$argon2id$x',
    createdAt: 1_000 + n,
    updatedAt: 1_000 + n,
    ...overrides,
  };
};
const newSession = (userId: number, overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  id: randomUUID(),
  userId,
  tokenId: randomUUID(),
  deviceId: null,
  deviceName: null,
  deviceModel: null,
  pushToken: null,
  pushTransport: null,
  ipAddress: '::1',
  createdAt: 5,
  updatedAt: 5,
  ...overrides,
});

/** Registers the contract for one adapter; `skip` is a reason when its service is absent. */
export function storeContract(name: string, open: () => Promise<Store>, options: { skip?: string | false } = {}) {
  describe(`Store contract: ${name}`, { skip: options.skip ?? false }, () => {
    it('inserts users with increasing integer ids and finds them by id, username and email', async () => {
      const store = await open();
      try {
        const a = await store.users.insert(newUser({ email: 'Mixed.Case@Example.com' }));
        const b = await store.users.insert(newUser());
        assert.equal(typeof a.id, 'number');
        assert.ok(b.id > a.id);
        assert.equal(typeof a.createdAt, 'number', 'BIGINT times come back as numbers');
        assert.equal(a.createdAt, b.createdAt - 1);
        await store.users.update(a.id, { lastSeenAt: 1_700_000_000_123, updatedAt: 1_700_000_000_456 });
        const seen = await store.users.findById(a.id);
        assert.equal(seen?.lastSeenAt, 1_700_000_000_123);
        assert.equal(seen?.updatedAt, 1_700_000_000_456);
        a.lastSeenAt = seen!.lastSeenAt;
        a.updatedAt = seen!.updatedAt;
        assert.deepEqual(await store.users.findById(a.id), a);
        assert.deepEqual(await store.users.findByUsername(a.username.toUpperCase()), a);
        assert.deepEqual(await store.users.findByEmail('mixed.case@example.COM'), a);
        assert.equal(await store.users.findById(999_999_999), undefined);
      } finally {
        await store.close();
      }
    });

    it('raises UniqueViolation naming the field for a taken username or email', async () => {
      const store = await open();
      try {
        const a = await store.users.insert(newUser({ email: `u${n}@example.com` }));
        await assert.rejects(store.users.insert(newUser({ username: a.username })), (e) => e instanceof UniqueViolation && e.field === 'username');
        await assert.rejects(store.users.insert(newUser({ email: a.email!.toUpperCase() })), (e) => e instanceof UniqueViolation && e.field === 'email');
        // The field comes from the violated column, never from the values.
        const tricky = await store.users.insert(newUser({ username: `email_${n}`, email: `username${n}@example.com` }));
        await assert.rejects(store.users.insert(newUser({ username: tricky.username })), (e) => e instanceof UniqueViolation && e.field === 'username');
        await assert.rejects(store.users.insert(newUser({ email: tricky.email })), (e) => e instanceof UniqueViolation && e.field === 'email');
      } finally {
        await store.close();
      }
    });

    it('searches by substring of name or username, escaping LIKE wildcards', async () => {
      const store = await open();
      try {
        const tag = `q${randomUUID().slice(0, 8)}`;
        const a = await store.users.insert(newUser({ username: `${tag}_a`, displayName: 'First' }));
        const b = await store.users.insert(newUser({ displayName: `Second ${tag.toUpperCase()}` }));
        await store.users.insert(newUser({ displayName: '100% sure' }));
        assert.deepEqual(
          (await store.users.search({ query: tag, limit: 10, offset: 0 })).map((u) => u.id),
          [a.id, b.id],
        );
        assert.deepEqual(
          (await store.users.search({ query: tag, limit: 1, offset: 1 })).map((u) => u.id),
          [b.id],
        );
        assert.equal((await store.users.search({ query: `${tag}%`, limit: 10, offset: 0 })).length, 0);
        assert.ok((await store.users.search({ query: '0% s', limit: 10, offset: 0 })).length >= 1);
      } finally {
        await store.close();
      }
    });

    it('keeps sessions per user and device, and deletes them with their user', async () => {
      const store = await open();
      try {
        const user = await store.users.insert(newUser());
        const one = newSession(user.id, { deviceId: 'phone' });
        const two = newSession(user.id);
        await store.sessions.insert(one);
        await store.sessions.insert(two);
        await assert.rejects(store.sessions.insert(newSession(user.id, { deviceId: 'phone' })), (e) => e instanceof UniqueViolation && e.field === 'device_id');
        await assert.rejects(store.sessions.insert({ ...newSession(user.id), id: one.id }), (e) => e instanceof UniqueViolation && e.field === 'unknown');
        assert.deepEqual(await store.sessions.findByDevice(user.id, 'phone'), one);
        await store.sessions.update(one.id, { tokenId: 'rotated', deviceName: 'Renamed', updatedAt: 9 });
        assert.equal((await store.sessions.findById(one.id))?.tokenId, 'rotated');
        assert.deepEqual(await store.sessions.deleteByUser(user.id, one.id), [two.id]);
        assert.equal(await store.users.delete(user.id), true);
        assert.equal(await store.sessions.findById(one.id), undefined, 'sessions go with their user');
      } finally {
        await store.close();
      }
    });

    it('commits a transaction only when its work succeeds', async () => {
      const store = await open();
      try {
        const kept = newUser();
        const dropped = newUser();
        await store.transaction(async (tx) => {
          await tx.users.insert(kept);
        });
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.users.insert(dropped);
            throw new Error('abort');
          }),
          /abort/,
        );
        assert.ok(await store.users.findByUsername(kept.username));
        assert.equal(await store.users.findByUsername(dropped.username), undefined);
      } finally {
        await store.close();
      }
    });

    it('keeps signing keys, ignoring a duplicate kid', async () => {
      const store = await open();
      try {
        const key = { kid: `k${randomUUID()}`, algorithm: 'EdDSA', privatePem: 'pem', publicJwk: '{}', createdAt: 1 };
        await store.signingKeys.insert(key);
        await store.signingKeys.insert({ ...key, privatePem: 'other' });
        const found = (await store.signingKeys.list()).filter((k) => k.kid === key.kid);
        assert.deepEqual(found, [key]);
        await store.ping();
      } finally {
        await store.close();
      }
    });

    it('records a Vonage user id once, unique across users', async () => {
      const store = await open();
      try {
        const a = await store.users.insert(newUser());
        assert.equal(a.vonageUserId, null);
        const b = await store.users.insert(newUser({ vonageUserId: `USR-${randomUUID()}` }));
        assert.equal((await store.users.findById(b.id))?.vonageUserId, b.vonageUserId);
        const id = `USR-${randomUUID()}`;
        assert.equal(await store.users.setVonageUserId(a.id, id), true);
        assert.equal(await store.users.setVonageUserId(a.id, `USR-${randomUUID()}`), false, 'a recorded id is kept');
        assert.equal((await store.users.findByUsername(a.username))?.vonageUserId, id);
        const c = await store.users.insert(newUser());
        await assert.rejects(store.users.setVonageUserId(c.id, id), (e) => e instanceof UniqueViolation && e.field === 'vonage_user_id');
        await assert.rejects(store.users.insert(newUser({ vonageUserId: id })), (e) => e instanceof UniqueViolation && e.field === 'vonage_user_id');
      } finally {
        await store.close();
      }
    });

    it('links a chat to one Vonage conversation, finds users by V-app ids, keeps one image URL per user (V-app)', async () => {
      const store = await open();
      try {
        const owner = await store.users.insert(newUser());
        const provisioned = await store.users.insert(newUser({ vonageUserId: `USR-${randomUUID()}` }));
        const chatId = randomUUID();
        await store.chats.insert(
          {
            id: chatId,
            title: null,
            isPersonal: false,
            personalKey: null,
            ownerId: owner.id,
            roomName: null,
            lastSeq: 0,
            lastActivityAt: 1,
            createdAt: 1,
            updatedAt: 1,
          },
          [],
        );
        const conversation = `CON-${randomUUID()}`;
        assert.equal(await store.vapp.linkConversation(chatId, conversation, 2), true);
        assert.equal(await store.vapp.linkConversation(chatId, `CON-${randomUUID()}`, 3), false, 'the first link stays');
        assert.equal(await store.vapp.findChatIdByConversation(conversation), chatId);
        assert.equal(await store.vapp.findChatIdByConversation(`CON-${randomUUID()}`), undefined);
        assert.deepEqual([...(await store.vapp.conversationsOf([chatId, randomUUID()]))], [[chatId, conversation]]);

        const found = await store.vapp.findUsers({ uids: [owner.uid, randomUUID()], vonageUserIds: [provisioned.vonageUserId!, 'USR-nobody'] });
        assert.deepEqual(found.map((u) => u.id).sort(), [owner.id, provisioned.id].sort());
        assert.deepEqual(await store.vapp.findUsers({ uids: [], vonageUserIds: [] }), []);

        await store.vapp.setImageUrl(owner.id, 'https://a.test/1.png', 10);
        await store.vapp.setImageUrl(owner.id, 'https://a.test/2.png', 20);
        assert.deepEqual([...(await store.vapp.imageUrlsOf([owner.id, provisioned.id]))], [[owner.id, { url: 'https://a.test/2.png', setAt: 20 }]]);

        // Both go with their chat and their user.
        await store.chats.delete(chatId);
        assert.equal(await store.vapp.findChatIdByConversation(conversation), undefined);
        await store.users.delete(owner.id);
        assert.equal((await store.vapp.imageUrlsOf([owner.id])).size, 0);
      } finally {
        await store.close();
      }
    });

    it('keeps thread replies out of the main history, lists them by root, sums them per root and marks roots', async () => {
      const store = await open();
      try {
        const [u1, u2] = [await store.users.insert(newUser()), await store.users.insert(newUser())];
        const chatId = randomUUID();
        const chat = {
          id: chatId,
          title: 'T',
          isPersonal: false,
          personalKey: null,
          ownerId: u1.id,
          roomName: null,
          lastSeq: 0,
          lastActivityAt: 1,
          createdAt: 1,
          updatedAt: 1,
        };
        const member = (userId: number) => ({
          chatId,
          userId,
          isMember: true,
          isMuted: false,
          isArchived: false,
          isRemovedOnDevice: false,
          hasBlockedChat: false,
          isBlocked: false,
          lastReadSeq: 0,
          addedAt: 1,
          removedAt: null,
        });
        await store.chats.insert(chat, [member(u1.id), member(u2.id)]);
        let seq = 0;
        const message = (authorId: number, threadId: number | null = null, deletedAt: number | null = null) => {
          seq++;
          return store.messages.insert({
            uuid: randomUUID(),
            chatId,
            seq,
            authorId,
            localId: randomUUID(),
            text: `m${seq}`,
            isVisible: true,
            fileExists: null,
            previewExists: null,
            createdAt: 100 + seq,
            updatedAt: 100 + seq,
            editedAt: null,
            deletedAt,
            threadId,
          });
        };
        const root = await message(u1.id);
        const lone = await message(u1.id);
        assert.equal(root.hasThread, false);
        await store.messages.markThread(root.id);
        await store.messages.markThread(root.id);
        assert.equal((await store.messages.findById(root.id))?.hasThread, true);
        assert.equal((await store.messages.findById(lone.id))?.hasThread, false);
        const r1 = await message(u2.id, root.id);
        const r2 = await message(u1.id, root.id);
        const r3 = await message(u2.id, root.id);
        await message(u1.id, root.id, 500);
        assert.equal(r1.threadId, root.id);
        assert.deepEqual(
          (await store.messages.listBefore(chatId, null, 10)).map((m) => m.id),
          [lone.id, root.id],
        );
        assert.deepEqual(
          (await store.messages.listThread(root.id, null, 10)).slice(1).map((m) => m.id),
          [r3.id, r2.id, r1.id],
        );
        assert.deepEqual(
          (await store.messages.listThread(root.id, r3.seq, 1)).map((m) => m.id),
          [r2.id],
        );
        const summaries = await store.messages.threadSummaries([root.id, lone.id]);
        assert.deepEqual([...summaries.keys()], [root.id]);
        assert.deepEqual(summaries.get(root.id), { count: 3, lastReplyAt: r3.createdAt, participants: [u2.id, u1.id] });
        assert.equal((await store.messages.latestOf([chatId])).get(chatId)?.id, lone.id);
        assert.equal(await store.messages.countUnread(chatId, u2.id, 0), 2);
      } finally {
        await store.close();
      }
    });

    it('stores a setting only when absent (the first of racing writers wins)', async () => {
      const store = await open();
      try {
        const key = `contract.${randomUUID()}`;
        const results = await Promise.all(['a', 'b', 'c'].map((v) => store.settings.insertIfAbsent(key, v)));
        assert.equal(results.filter(Boolean).length, 1);
        const kept = await store.settings.get(key);
        assert.equal(kept, ['a', 'b', 'c'][results.indexOf(true)]);
        assert.equal(await store.settings.insertIfAbsent(key, 'd'), false);
        assert.equal(await store.settings.get(key), kept);
      } finally {
        await store.close();
      }
    });
  });
}
