/**
 * What every `parley` command shares: opening the core the way a node does (the CLI's bus
 * reaches the running nodes), reading secrets from stdin or a hidden prompt, and turning
 * failures into one line on stderr with exit status 1, never a stack trace.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { ConfigError, loadConfigOrExit, type Config } from '../config.js';
import type { Core } from '../core/index.js';
import { AppError } from '../errors.js';

/** A failure the operator caused or can fix; printed as its message alone. */
export class CliError extends Error {}

/** Runs `work` with the core of the configured store, closing everything afterwards. */
export async function withCore<T>(work: (core: Core, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfigOrExit();
  // Loaded only by the commands that need it: the whole server is behind it.
  const { openCliCore } = await import('../app.js');
  const opened = await openCliCore(config);
  try {
    return await work(opened.core, config);
  } finally {
    await opened.close();
  }
}

/** One line (or, for a bad configuration, one per problem) saying what went wrong. */
export function describeFailure(error: unknown): string {
  if (error instanceof AppError) {
    const fields = error.details.invalidParameters?.map((p) => `${p.name} ${p.reason}`).join('; ');
    return fields ? `${error.message} (${fields})` : error.message;
  }
  if (error instanceof ConfigError || error instanceof CliError) return error.message;
  if (error instanceof Error) return error.message.split('\n')[0]!;
  return String(error);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

/** Asks on the terminal without echoing what is typed. */
function prompt(question: string): Promise<string> {
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  process.stderr.write(question);
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise((resolve) =>
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    }),
  );
}

/**
 * A password from stdin when it is piped (first line), else from a hidden prompt asked twice.
 * Never from the command line unless the operator chose `--password` (visible to `ps`).
 */
export async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    const line = (await readAll(process.stdin)).split(/\r?\n/)[0] ?? '';
    if (line === '') throw new CliError('No password on stdin.');
    return line;
  }
  const first = await prompt('New password: ');
  if ((await prompt('Again: ')) !== first) throw new CliError('The passwords do not match.');
  return first;
}
