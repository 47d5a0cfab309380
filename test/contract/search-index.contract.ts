/**
 * What every SearchIndex adapter must do, on a store of its engine: match the folded query
 * terms, keep to the caller's membership windows, page strictly after a position, score from
 * the message alone, and index messages older than the index when asked to catch up.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseQuery } from '../../src/core/search-query.js';
import type { MessageSearch, SearchIndex } from '../../src/ports/search-index.js';
import type { MemberRecord, Store } from '../../src/ports/store.js';

export interface SearchFixture {
  store: Store;
  index: SearchIndex;
  /** Empties the index and records every message as still to be indexed (an upgraded database). */
  forgetIndex(): Promise<void>;
  close(): Promise<void>;
}

export function searchIndexContract(name: string, open: () => Promise<SearchFixture>, options: { skip?: string | boolean } = {}) {
  describe(`SearchIndex contract: ${name}`, { skip: options.skip }, () => {
    async function world(f: SearchFixture) {
      const user = (username: string) =>
        f.store.users.insert({
          uid: randomUUID(),
          username: `${username}${randomUUID().slice(0, 6)}`,
          displayName: `Dé ${username}`,
          email: null,
          passwordHash: 'h',
          createdAt: 1,
          updatedAt: 1,
        });
      const [ann, bob, cat] = [await user('ann'), await user('bob'), await user('cat')];
      const chatId = randomUUID();
      const member = (userId: number, addedAt: number, removedAt: number | null = null): MemberRecord => ({
        chatId,
        userId,
        isMember: removedAt === null,
        isMuted: false,
        isArchived: false,
        isRemovedOnDevice: false,
        hasBlockedChat: false,
        isBlocked: false,
        lastReadSeq: 0,
        addedAt,
        removedAt,
      });
      await f.store.chats.insert(
        {
          id: chatId,
          title: 'Ops Room',
          isPersonal: false,
          personalKey: null,
          ownerId: ann.id,
          roomName: null,
          lastSeq: 0,
          lastActivityAt: 1,
          createdAt: 1,
          updatedAt: 1,
        },
        [member(ann.id, 0), member(bob.id, 0), member(cat.id, 500)],
      );
      let seq = 0;
      const send = (text: string, at: number, authorId = ann.id) =>
        f.store.messages.insert({
          uuid: randomUUID(),
          chatId,
          seq: ++seq,
          authorId,
          localId: randomUUID(),
          text,
          isVisible: true,
          fileExists: null,
          previewExists: null,
          createdAt: at,
          updatedAt: at,
          editedAt: null,
          deletedAt: null,
        });
      return { ann, bob, cat, chatId, send };
    }
    const search = (index: SearchIndex, userId: number, q: string, extra: Partial<MessageSearch> = {}) =>
      index.searchMessages({ userId, query: parseQuery(q), sort: 'relevance', limit: 50, ...extra });
    const idsOf = (hits: Awaited<ReturnType<SearchIndex['searchMessages']>>) => hits.map((h) => h.message.id);

    it('matches words, prefixes, phrases and exclusions, folded, within membership, not deleted', async () => {
      const f = await open();
      try {
        const { bob, cat, chatId, send } = await world(f);
        const old = await send('Le Déploiement est prêt', 100);
        const later = await send('déploiement annulé, rollback', 600);
        const gone = await send('déploiement effacé', 700);
        await f.store.messages.update(gone.id, { text: '', deletedAt: 800 });
        assert.deepEqual(idsOf(await search(f.index, bob.id, 'DEPLOIEMENT', { sort: 'recent' })), [later.id, old.id]);
        assert.deepEqual(idsOf(await search(f.index, bob.id, 'deplo* -rollback')), [old.id]);
        assert.deepEqual(idsOf(await search(f.index, bob.id, '"deploiement est pret"')), [old.id]);
        assert.deepEqual(idsOf(await search(f.index, bob.id, '"est deploiement"')), []);
        assert.deepEqual(idsOf(await search(f.index, cat.id, 'deploiement')), [later.id], 'joined at 500');
        assert.deepEqual(idsOf(await search(f.index, bob.id, 'deploiement', { chatId: randomUUID() })), []);
        assert.deepEqual(idsOf(await search(f.index, bob.id, 'deploiement', { authorId: bob.id })), []);
        assert.deepEqual(idsOf(await search(f.index, bob.id, 'deploiement', { after: 100 })), [later.id]);
        assert.deepEqual(idsOf(await search(f.index, bob.id, 'deploiement', { before: 600 })), [old.id]);
        const docs = await f.index.chatDocuments(bob.id);
        assert.deepEqual(
          docs.map((d) => d.chatId),
          [chatId],
        );
        assert.equal(docs[0]!.memberNames.length, 2);
      } finally {
        await f.close();
      }
    });

    it('scores from the message alone and pages strictly after a position', async () => {
      const f = await open();
      try {
        const { bob, send } = await world(f);
        for (let i = 0; i < 6; i++) await send(`kiwi ${'words '.repeat(i)}`, 100 + i);
        const before = await search(f.index, bob.id, 'kiwi');
        for (let i = 0; i < 20; i++) await send(`kiwi kiwi other ${i}`, 200 + i);
        const afterSends = await search(f.index, bob.id, 'kiwi');
        const scoreOf = (hits: typeof before) => new Map(hits.map((h) => [h.message.id, h.score]));
        for (const [id, score] of scoreOf(before)) assert.equal(scoreOf(afterSends).get(id), score, 'a score does not move when others send');
        for (const sort of ['relevance', 'recent'] as const) {
          const all = await search(f.index, bob.id, 'kiwi', { sort });
          const third = all[2]!;
          const rest = await search(f.index, bob.id, 'kiwi', { sort, from: { score: third.score, id: third.message.id } });
          assert.deepEqual(idsOf(rest), idsOf(all).slice(3));
        }
      } finally {
        await f.close();
      }
    });

    it('indexes messages older than the index when catching up', async () => {
      const f = await open();
      try {
        const { bob, send } = await world(f);
        const sent = [];
        for (let i = 0; i < 30; i++) sent.push((await send(`heirloom ${i}`, 100 + i)).id);
        await f.forgetIndex();
        assert.deepEqual(await search(f.index, bob.id, 'heirloom'), []);
        assert.equal((await f.index.catchUp()).indexed, 30);
        assert.deepEqual(idsOf(await search(f.index, bob.id, 'heirloom', { sort: 'recent' })), sent.reverse());
        assert.equal((await f.index.catchUp()).indexed, 0);
      } finally {
        await f.close();
      }
    });
  });
}
