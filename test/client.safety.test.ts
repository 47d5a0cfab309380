/** The client library's methods for user blocks, group roles and bans against a real server. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ParleyError } from '../client/src/index.js';
import { clientServer, type ClientServer } from './client-helpers.js';

let s: ClientServer;
before(async () => {
  s = await clientServer();
});
after(() => s.t.destroy());

const refused = (status: number) => (e: unknown) => e instanceof ParleyError && e.status === status;

test('block and unblock a user, set roles, ban and unban', async () => {
  const [ann, bob, cat] = [await s.user(), await s.user(), await s.user()];
  await bob.blockUser(ann.id);
  assert.deepEqual(
    (await bob.blockedUsers()).map((u) => [u.id, u.isBlocked]),
    [[ann.id, true]],
  );
  await assert.rejects(ann.createChat({ participants: [bob.id] }), refused(403));
  await bob.unblockUser(ann.id);
  assert.deepEqual(await bob.blockedUsers(), []);

  const chat = await ann.createChat({ title: 'Client roles', participants: [bob.id, cat.id], isPersonal: false });
  assert.deepEqual((await ann.setRole(chat.id, bob.id, 'admin')).roles, { [ann.id]: 'owner', [bob.id]: 'admin' });
  const banned = await bob.ban(chat.id, cat.id);
  assert.ok(!banned.allUsers.some((u) => u.id === cat.id));
  assert.deepEqual(
    (await ann.bans(chat.id)).map((b) => [b.user.id, b.bannedBy]),
    [[cat.id, bob.id]],
  );
  await assert.rejects(ann.addChatUsers(chat.id, [cat.id]), refused(403));
  await ann.unban(chat.id, cat.id);
  assert.deepEqual(await ann.bans(chat.id), []);
});
