/**
 * The bus between a node on the in-process bus and the admin CLI on the same machine. The
 * node listens on a Unix socket in `DATA_DIR` (`parley.sock`, mode 0600); the CLI's bus
 * forwards the few admin topics there, so a session the CLI revokes closes its sockets at
 * once and a key it rotates signs at once, as if the node had done it. With Redis the CLI
 * publishes on Redis instead and this socket is not used. A node answering on the socket is
 * also how `parley restore` tells that a server is running on that `DATA_DIR`.
 */
import { chmodSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Bus, BusTopic, BusTopics } from '../../ports/bus.js';
import { createMemoryBus } from './memory.js';

/** Topics a local process may publish into a running node. */
const FORWARDED: readonly BusTopic[] = ['sessions.revoked', 'user.updated', 'signing-keys.rotated'];

/** Unix socket paths are limited to about 107 bytes. */
const MAX_PATH = 100;

/** Where the control socket of `dataDir` lives. */
export const controlSocketPath = (dataDir: string) => path.join(path.resolve(dataDir), 'parley.sock');

/** Resolves with a connected socket, or undefined when nobody listens at `file`. */
function connect(file: string): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(file);
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(undefined));
  });
}

/** Whether a node is listening on `dataDir`'s control socket (a server is running there). */
export async function nodeIsRunning(dataDir: string): Promise<boolean> {
  const socket = await connect(controlSocketPath(dataDir));
  socket?.destroy();
  return socket !== undefined;
}

/**
 * Lets local processes publish the admin topics on `bus`: one JSON line `{topic, payload}`
 * each, answered `ok` once published. Returns a function that stops listening; undefined
 * when it could not listen (path too long, another live node on this folder).
 */
export async function listenForLocalPublishers(bus: Bus, dataDir: string, warn: (message: string) => void): Promise<(() => Promise<void>) | undefined> {
  const file = controlSocketPath(dataDir);
  if (file.length > MAX_PATH)
    return void warn(`DATA_DIR is too long a path for the admin control socket (${file}); admin CLI changes reach this node only through the database`);
  const open = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    let buffered = '';
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      if (buffered.length > 64 * 1024) return void socket.destroy();
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        void publishLine(line).then(
          (answer) => socket.write(`${answer}\n`),
          () => socket.write('error\n'),
        );
      }
    });
  });
  async function publishLine(line: string): Promise<string> {
    const message = JSON.parse(line) as { topic?: unknown; payload?: unknown };
    if (typeof message.topic !== 'string' || !FORWARDED.includes(message.topic as BusTopic) || typeof message.payload !== 'object') return 'refused';
    await bus.publish(message.topic as BusTopic, message.payload as BusTopics[BusTopic]);
    return 'ok';
  }
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(file, () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') return void warn(`cannot open the admin control socket ${file}: ${String(error)}`);
    if (await nodeIsRunning(dataDir)) return void warn(`another node is running on ${dataDir}; admin CLI changes reach only that one at once`);
    unlinkSync(file); // left by a node that was killed
    await listen();
  }
  chmodSync(file, 0o600);
  server.unref();
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // A client that keeps its connection open must not hold up the shutdown.
      for (const socket of open) socket.destroy();
    });
}

/**
 * The CLI's bus: in-process, and every admin topic is also handed to the node running on
 * `dataDir`, if any, which has published it when `publish` resolves.
 */
export function createLocalForwardingBus(dataDir: string): Bus {
  const local = createMemoryBus();
  return {
    ...local,
    async publish<K extends BusTopic>(topic: K, payload: BusTopics[K]) {
      await local.publish(topic, payload);
      if (!FORWARDED.includes(topic)) return;
      const socket = await connect(controlSocketPath(dataDir));
      if (!socket) return; // no node running: the database change is all there is to do
      await new Promise<void>((resolve, reject) => {
        socket.once('data', () => resolve());
        socket.once('error', reject);
        socket.once('close', () => resolve());
        socket.write(`${JSON.stringify({ topic, payload })}\n`);
      }).finally(() => socket.destroy());
    },
  };
}
