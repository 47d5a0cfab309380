/**
 * A terminal chat client on `@parley/client` alone: logs in, lists the chats, shows the newest
 * messages of one, then sends each line typed and prints what arrives live. The socket
 * reconnects by itself with backoff and replays what was missed from its cursor, which is kept
 * in a file, so a restart of this program misses nothing either.
 *
 *   PARLEY_URL=http://localhost:3000 PARLEY_USERNAME=ann PARLEY_PASSWORD='correct horse' \
 *     npx tsx --tsconfig examples/terminal-chat/tsconfig.json examples/terminal-chat/chat.ts [chat title or id]
 *
 * Lines: text sends it; `/chats` lists the chats again; `/quit` ends.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { newLocalId, ParleyClient, ParleyError, type ChatInfo, type MessageInfo } from '@parley/client';
import { WebSocket } from 'ws';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`set ${name}`);
  return value;
};
const say = (line: string) => process.stdout.write(`${line}\n`);
const cursorFile = process.env.PARLEY_CURSOR_FILE;
const savedCursor = (): number | undefined => {
  try {
    return cursorFile ? Number(readFileSync(cursorFile, 'utf8')) || undefined : undefined;
  } catch {
    return undefined;
  }
};

const client = new ParleyClient({ baseUrl: env('PARLEY_URL', 'http://localhost:3000'), WebSocket });
try {
  await client.login({ username: env('PARLEY_USERNAME'), password: env('PARLEY_PASSWORD') });
} catch (error) {
  say(`login failed: ${error instanceof ParleyError ? error.message : String(error)}`);
  process.exit(1);
}

const titleOf = (chat: ChatInfo) => chat.title || chat.allUsers.map((u) => u.name).join(', ') || chat.id;
const show = (m: MessageInfo) => say(`< ${m.author.name}: ${m.text}`);

/** Every chat, page by page (the server's Link headers), newest activity first. */
async function listChats(): Promise<ChatInfo[]> {
  const chats: ChatInfo[] = [];
  for await (const page of client.chatPages(20)) chats.push(...page);
  for (const [i, chat] of chats.entries()) say(`[${i + 1}] ${titleOf(chat)}${chat.unreadCount ? ` (${chat.unreadCount} unread)` : ''}`);
  return chats;
}

const chats = await listChats();
const wanted = process.argv[2];
const chat = chats.find((c) => c.id === wanted || titleOf(c) === wanted) ?? chats[0];
if (!chat) {
  say('no chats yet');
  process.exit(0);
}
say(`== ${titleOf(chat)}`);
// The newest ten, oldest first: the first page back of the history.
for await (const page of client.historyPages(chat.id, { count: 10 })) {
  for (const m of [...page].reverse()) show(m);
  break;
}

const socket = client.socket({ since: savedCursor(), backoff: { initialMs: 100, maxMs: 2000 } });
socket.on('open', ({ attempt }) => say(attempt === 0 ? 'connected' : `reconnected after ${attempt} attempts`));
socket.on('close', ({ code, retryInMs }) => say(retryInMs === null ? `closed (${code})` : `disconnected (${code}), retrying in ${retryInMs} ms`));
socket.on('frame', () => {
  if (cursorFile && socket.cursor !== undefined) writeFileSync(cursorFile, String(socket.cursor));
});
socket.on('message', (m) => {
  if (m.chatId === chat.id) show(m);
  else say(`< (${m.chatId}) ${m.author.name}: ${m.text}`);
});
socket.on('resync', () => {
  say('missed too much: listing the chats again');
  void listChats();
});

const input = createInterface({ input: process.stdin });
for await (const line of input) {
  const text = line.trim();
  if (text === '/quit') break;
  if (text === '/chats') await listChats();
  else if (text) {
    // Over the socket when it is up (its ack says how it went), else over HTTP: the same localId makes a retry harmless.
    const localId = newLocalId();
    const ack = socket.connected ? await socket.act({ action: 'send', chatId: chat.id, localId, text }).catch(() => undefined) : undefined;
    try {
      if (!ack?.ok) await client.sendMessage(chat.id, { localId, text });
      say('> sent');
    } catch (error) {
      say(`! not sent: ${error instanceof ParleyError ? error.message : String(error)}`);
    }
  }
}
socket.close();
process.exit(0);
