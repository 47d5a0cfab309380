import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { basic, client, problemOf, recordChatEvents, register, startApp, type Registered, type TestApp } from './helpers.js';
import { makePng, pathOf, storedFiles, upload } from './media-helpers.js';

describe('chat images and message attachments', () => {
  let t: TestApp;
  let a: Registered, b: Registered, c: Registered;
  let A: ReturnType<typeof client>, B: ReturnType<typeof client>;
  let bus: ReturnType<typeof recordChatEvents>;
  before(async () => {
    t = await startApp();
    [a, b, c] = [await register(t.app), await register(t.app), await register(t.app)];
    [A, B] = [client(t.app, a.token), client(t.app, b.token)];
    bus = recordChatEvents(t.app);
  });
  after(() => t.destroy());

  const group = async () => (await A('POST', '/chats', { title: 'Pics', participants: [b.id], isPersonal: false })).json().id as string;
  const uploadPng = async (token: string) =>
    (await upload(t.app, await makePng(800, 600), { token, contentType: 'image/png' })).json().name.split('.')[0] as string;

  it('adds a chat image of the caller’s own, shows it in ChatInfo, and removes it with its files', async () => {
    const chatId = await group();
    const imageId = await uploadPng(a.token);
    await bus.take();
    const res = await A('POST', `/chats/${chatId}/images`, { image: { id: imageId, fileType: 'png', fileSize: 1 } });
    assert.equal(res.statusCode, 200);
    const [image] = res.json().images;
    assert.equal(image.id, imageId);
    assert.equal(image.fileType, 'png');
    assert.ok(image.fileSize > 1, 'the server’s record wins over the advisory fileSize');
    assert.equal(image.previewWidth, 512);
    assert.equal((await t.app.inject(pathOf(image.previewUrl))).statusCode, 200);
    const [event] = await bus.take();
    assert.equal(event!.kind, 'chatUpdate');
    assert.deepEqual(
      (await B('GET', `/chats/${chatId}`)).json().images.map((i: any) => i.id),
      [imageId],
    );
    // Another user's upload is refused as if it did not exist; so is a chat image in a personal chat.
    const bees = await uploadPng(b.token);
    problemOf(await A('POST', `/chats/${chatId}/images`, { image: { id: bees } }), 404);
    const personal = (await A('POST', '/chats', { participants: [c.id] })).json().id;
    problemOf(await A('POST', `/chats/${personal}/images`, { image: { id: await uploadPng(a.token) } }), 400);
    problemOf(await client(t.app, c.token)('POST', `/chats/${chatId}/images`, { image: { id: imageId } }), 404);
    // B (not the uploader, not the owner) may not remove it; A may.
    problemOf(await B('DELETE', `/chats/${chatId}/images/${imageId}`), 403);
    assert.ok((await storedFiles(t)).includes(`${imageId}.png`));
    assert.deepEqual((await A('DELETE', `/chats/${chatId}/images/${imageId}`)).json(), {});
    assert.ok(!(await storedFiles(t)).some((f) => f.startsWith(imageId)), 'files removed');
    assert.deepEqual((await A('GET', `/chats/${chatId}`)).json().images, []);
    problemOf(await A('DELETE', `/chats/${chatId}/images/${imageId}`), 404);
    await bus.take();
  });

  it('attaches an upload to a message; deleting the message erases the attachment and its files', async () => {
    const chatId = await group();
    const fileId = await uploadPng(a.token);
    const sent = await A('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), attachment: { id: fileId, fileType: 'png', fileSize: 10 } });
    assert.equal(sent.statusCode, 200, sent.body);
    const message = sent.json();
    assert.equal(message.text, '', 'an attachment needs no text');
    assert.equal(message.attachments[0].id, fileId);
    assert.ok(message.attachments[0].previewUrl);
    const [history] = (await B('GET', `/chats/${chatId}/messages`)).json();
    assert.equal(history.attachments[0].id, fileId);
    // The same upload can't be attached twice, nor someone else's at all.
    problemOf(await A('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), attachment: { id: fileId, fileType: 'png', fileSize: 1 } }), 409);
    problemOf(
      await B('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), attachment: { id: await uploadPng(a.token), fileType: 'png', fileSize: 1 } }),
      404,
    );
    const deleted = (await A('DELETE', `/chats/${chatId}/messages/${message.id}`)).json();
    assert.deepEqual(deleted.attachments, []);
    assert.ok(!(await storedFiles(t)).some((f) => f.startsWith(fileId)));
    assert.equal(await t.app.core.ports.store.media.findById(fileId), undefined);
    await bus.take();
  });

  it('stays idempotent when identical sends with one attachment race', async () => {
    const chatId = await group();
    const fileId = await uploadPng(a.token);
    const localId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => A('POST', `/chats/${chatId}/messages`, { localId, attachment: { id: fileId, fileType: 'png', fileSize: 1 } })),
    );
    assert.deepEqual([...new Set(results.map((r) => r.statusCode))], [200], results.map((r) => r.body).join('\n'));
    assert.equal(new Set(results.map((r) => r.json().id)).size, 1);
    assert.equal((await A('GET', `/chats/${chatId}/messages`)).json().length, 1);
    // An upload that is a chat image can't also be an attachment.
    const image = await uploadPng(a.token);
    await A('POST', `/chats/${chatId}/images`, { image: { id: image } });
    problemOf(await A('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), attachment: { id: image, fileType: 'png', fileSize: 1 } }), 409);
    problemOf(await A('POST', `/chats/${await group()}/images`, { image: { id: image } }), 409);
    await bus.take();
  });

  it('reserves an attachment id when none is given; the sender uploads the file under it later', async () => {
    const chatId = await group();
    const sent = (
      await A('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: 'photo coming', attachment: { fileType: 'png', fileSize: 1234 } })
    ).json();
    const [reserved] = sent.attachments;
    assert.match(reserved.id, /^[0-9a-f-]{36}$/);
    assert.equal(reserved.fileSize, 1234);
    assert.equal((await t.app.inject(pathOf(reserved.url))).statusCode, 404, 'nothing to serve yet');
    // Only the sender may fill it, and only once.
    problemOf(await upload(t.app, await makePng(300, 200), { token: b.token, contentType: 'image/png', fileName: reserved.id }), 409);
    const filled = await upload(t.app, await makePng(300, 200), { token: a.token, contentType: 'image/png', fileName: reserved.id });
    assert.equal(filled.statusCode, 200, filled.body);
    problemOf(await upload(t.app, await makePng(300, 200), { token: a.token, contentType: 'image/png', fileName: reserved.id }), 409);
    await A('PUT', `/chats/${chatId}/messages/${sent.id}`, { fileExists: true, previewExists: true });
    const [history] = (await B('GET', `/chats/${chatId}/messages`)).json();
    assert.equal(history.fileExists, true);
    assert.equal(history.attachments[0].previewWidth, 300);
    assert.notEqual(history.attachments[0].fileSize, 1234, 'the stored file’s size replaces the guess');
    assert.equal((await t.app.inject(pathOf(history.attachments[0].url))).statusCode, 200);
    problemOf(await A('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), attachment: { fileType: '../x', fileSize: 1 } }), 400);
    await bus.take();
  });

  it('clearing a chat, deleting it, and deleting its owner’s account remove the files in it', async () => {
    const chatId = await group();
    const attached = await uploadPng(b.token);
    await B('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), attachment: { id: attached, fileType: 'png', fileSize: 1 } });
    await A('DELETE', `/chats/${chatId}/messages`);
    assert.ok(!(await storedFiles(t)).some((f) => f.startsWith(attached)), 'clear removes attachments');

    const image = await uploadPng(b.token);
    await B('POST', `/chats/${chatId}/images`, { image: { id: image } });
    const second = await uploadPng(b.token);
    await B('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), attachment: { id: second, fileType: 'png', fileSize: 1 } });
    await A('DELETE', `/chats/${chatId}`);
    assert.ok(!(await storedFiles(t)).some((f) => f.startsWith(image) || f.startsWith(second)), 'delete removes images and attachments');

    const d = await register(t.app);
    const D = client(t.app, d.token);
    const dChat = (await D('POST', '/chats', { participants: [b.id], isPersonal: false })).json().id;
    const bFile = await uploadPng(b.token);
    await B('POST', `/chats/${dChat}/messages`, { localId: randomUUID(), attachment: { id: bFile, fileType: 'png', fileSize: 1 } });
    await t.app.inject({ method: 'DELETE', url: '/users/me', headers: basic(d.username, d.password) });
    assert.ok(!(await storedFiles(t)).some((f) => f.startsWith(bFile)), 'files in chats the deleted user owned go too');
    assert.equal(await t.app.core.ports.store.media.findById(bFile), undefined);
    await bus.take();
  });
});
