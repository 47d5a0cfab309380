/**
 * Reports: `POST /reports` (exactly one target the reporter can see, else 400/404; limited per
 * user), the evidence kept after the author deletes the message, and the admins' review
 * (`GET`/`PUT /admin/reports…`) with its actions, recorded in the audit log. 401/403/400 first.
 * Runs on PostgreSQL too with PARLEY_TEST_STORE=postgres.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { basic, bearer, client, invalidNames, problemOf, register, startApp, type Registered, type TestApp } from './helpers.js';
import { makePng, upload } from './media-helpers.js';
import { postgresService } from './services.js';

await postgresService();

describe('reports', () => {
  let t: TestApp;
  let root: Registered;
  let admin: ReturnType<typeof client>;
  let a: Registered;
  let b: Registered;
  let stranger: Registered;
  let chatId: string;

  const send = async (who: Registered, text: string, attachment?: object) => {
    const res = await client(t.app, who.token)('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text, ...(attachment ? { attachment } : {}) });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const report = (who: Registered, body: object) => client(t.app, who.token)('POST', '/reports', body);

  before(async () => {
    t = await startApp({ RATE_LIMITS: 'report_user=6/1h' });
    root = await register(t.app);
    await t.app.core.admin.setRole(root.username, 'admin');
    admin = client(t.app, root.token);
    [a, b, stranger] = [await register(t.app), await register(t.app), await register(t.app)];
    chatId = (await client(t.app, a.token)('POST', '/chats', { title: 'Reported', participants: [b.id, root.id], isPersonal: false })).json().id;
  });
  after(() => t.destroy());

  it('answers 401 without a token, 403 to non-admins on the admin routes, and 400 for bad bodies', async () => {
    problemOf(await t.app.inject({ method: 'POST', url: '/reports', payload: { userId: b.id, reason: 'spam' } }), 401);
    for (const route of [
      { method: 'GET' as const, url: '/admin/reports' },
      { method: 'PUT' as const, url: '/admin/reports/1', payload: { status: 'resolved' } },
    ]) {
      problemOf(await t.app.inject(route), 401);
      problemOf(await t.app.inject({ ...route, headers: bearer(a.token) }), 403);
    }
    assert.deepEqual(invalidNames(await report(a, { reason: 'spam' })), ['messageId']);
    assert.deepEqual(invalidNames(await report(a, { userId: b.id, chatId, reason: 'spam' })), ['messageId']);
    assert.deepEqual(invalidNames(await report(a, { userId: a.id, reason: 'spam' })), ['userId']);
    problemOf(await report(a, { userId: b.id, reason: 'rude' }), 400);
    problemOf(await report(a, { messageId: 'not-a-uuid', reason: 'spam' }), 400);
    problemOf(await report(a, { userId: b.id, reason: 'spam', text: 'x'.repeat(2001) }), 400);
    problemOf(await admin('GET', '/admin/reports?status=closed'), 400);
    problemOf(await admin('PUT', '/admin/reports/abc', { status: 'resolved' }), 400);
    problemOf(await admin('PUT', '/admin/reports/1', { status: 'done' }), 400);
    problemOf(await admin('PUT', '/admin/reports/999999', { status: 'resolved' }), 404);
  });

  it('answers 404 for a target the reporter cannot see', async () => {
    const message = await send(a, 'members only');
    problemOf(await report(stranger, { messageId: message.id, reason: 'abuse' }), 404);
    problemOf(await report(stranger, { chatId, reason: 'abuse' }), 404);
    problemOf(await report(a, { messageId: randomUUID(), reason: 'abuse' }), 404);
    problemOf(await report(a, { userId: 999_999, reason: 'abuse' }), 404);
    const hidden = (await client(t.app, b.token)('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: 'hidden', isVisible: false })).json();
    problemOf(await report(a, { messageId: hidden.id, reason: 'abuse' }), 404);
    assert.equal((await admin('GET', '/admin/reports?limit=200')).json().reports.length, 0);
  });

  it('keeps the reported message as evidence after its author deletes it; the admin deletes and disables', async () => {
    const png = await upload(t.app, await makePng(20, 20), { token: b.token, contentType: 'image/png' });
    const mediaId = png.json().name.split('.')[0];
    const bad = await send(b, 'buy cheap things', { id: mediaId, fileType: 'png', fileSize: 1 });
    const filed = await report(a, { messageId: bad.id, reason: 'spam', text: '  it is spam  ' });
    assert.equal(filed.statusCode, 201, filed.body);
    assert.deepEqual(
      { ...(filed.json() as object), id: 0, createdAt: '' },
      { id: 0, targetType: 'message', targetId: bad.id, reason: 'spam', status: 'open', createdAt: '' },
    );
    assert.equal((await client(t.app, b.token)('DELETE', `/chats/${chatId}/messages/${bad.id}`)).statusCode, 200);

    const [listed] = (await admin('GET', '/admin/reports?status=open')).json().reports;
    assert.equal(listed.id, filed.json().id);
    assert.deepEqual([listed.reporterId, listed.reportedUserId, listed.chatId, listed.text], [a.id, b.id, chatId, 'it is spam']);
    assert.equal(listed.evidence.text, 'buy cheap things');
    assert.equal(listed.evidence.authorId, b.id);
    assert.deepEqual(
      listed.evidence.attachments.map((f: { id: string }) => f.id),
      [mediaId],
    );

    // An action that does not fit is a 400 and changes nothing.
    const userReport = (await report(a, { userId: b.id, reason: 'abuse' })).json();
    const chatReport = (await report(a, { chatId, reason: 'other' })).json();
    assert.deepEqual(invalidNames(await admin('PUT', `/admin/reports/${userReport.id}`, { status: 'resolved', action: 'deleteMessage' })), ['action']);
    assert.deepEqual(invalidNames(await admin('PUT', `/admin/reports/${chatReport.id}`, { status: 'resolved', action: 'disableUser' })), ['action']);
    assert.deepEqual(invalidNames(await admin('PUT', `/admin/reports/${userReport.id}`, { status: 'open', action: 'disableUser' })), ['action']);

    // A message still there is deleted by the review, as its author's delete would.
    const worse = await send(b, 'something illegal');
    const second = (await report(a, { messageId: worse.id, reason: 'illegal' })).json();
    const reviewed = await admin('PUT', `/admin/reports/${second.id}`, { status: 'resolved', action: 'deleteMessage' });
    assert.equal(reviewed.statusCode, 200, reviewed.body);
    assert.deepEqual([reviewed.json().status, reviewed.json().action, reviewed.json().resolvedBy], ['resolved', 'deleteMessage', root.id]);
    const history = (await client(t.app, a.token)('GET', `/chats/${chatId}/messages`)).json();
    const erased = history.find((m: { id: string }) => m.id === worse.id);
    assert.equal(erased.text, '');
    assert.equal(typeof erased.deletedAt, 'string');
    const audit = (await admin('GET', '/admin/audit?limit=2')).json().entries;
    assert.deepEqual(
      audit.map((e: { action: string }) => e.action),
      ['report.review', 'message.delete'],
    );
    assert.deepEqual([audit[1].targetId, audit[1].chatId, audit[1].details.reportId], [worse.id, chatId, second.id]);

    const disabled = await admin('PUT', `/admin/reports/${userReport.id}`, { status: 'resolved', action: 'disableUser' });
    assert.equal(disabled.statusCode, 200, disabled.body);
    assert.equal((await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(b.username, b.password) })).statusCode, 403);
    assert.ok((await admin('GET', '/admin/audit?limit=2')).json().entries.some((e: { action: string }) => e.action === 'user.disable'));

    const dismissed = await admin('PUT', `/admin/reports/${chatReport.id}`, { status: 'dismissed' });
    assert.deepEqual([dismissed.json().status, dismissed.json().action], ['dismissed', 'none']);
    const open = (await admin('GET', '/admin/reports?status=open')).json().reports.map((r: { id: number }) => r.id);
    assert.deepEqual(open, [filed.json().id]);
    const page = (await admin('GET', '/admin/reports?limit=2')).json();
    assert.equal(page.reports.length, 2);
    assert.equal(typeof page.nextCursor, 'number');
    const rest = (await admin('GET', `/admin/reports?cursor=${page.nextCursor}`)).json();
    assert.equal(page.reports.length + rest.reports.length, 4);
  });

  it('limits the reports one user files (429 with Retry-After), not a typo’s', async () => {
    const reporter = await register(t.app);
    const target = await register(t.app);
    problemOf(await report(reporter, { userId: 999_999, reason: 'spam' }), 404);
    for (let i = 0; i < 6; i++) assert.equal((await report(reporter, { userId: target.id, reason: 'spam' })).statusCode, 201);
    const refused = await report(reporter, { userId: target.id, reason: 'spam' });
    problemOf(refused, 429);
    assert.ok(Number(refused.headers['retry-after']) > 0);
    assert.equal((await report(await register(t.app), { userId: target.id, reason: 'spam' })).statusCode, 201);
  });
});
