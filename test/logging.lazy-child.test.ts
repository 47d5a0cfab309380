/**
 * A request's logger is made on its first line (src/logging/lazy-child.ts), with the same
 * output; Fastify's per-request lines are skipped below `info`, where they are never written.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { requestLinesLogged } from '../src/app.js';
import { lazyChildLogger } from '../src/logging/lazy-child.js';

function capture(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  let children = 0;
  const original = logger.child;
  logger.child = function (this: typeof logger, ...args: Parameters<typeof logger.child>) {
    children++;
    return original.apply(this, args);
  } as typeof logger.child;
  return { logger, lines, children: () => children };
}

describe('lazy request loggers', () => {
  it('makes no child for a request that writes nothing at an enabled level', () => {
    const { logger, lines, children } = capture('warn');
    const log = lazyChildLogger(logger, { reqId: 'r1' }, {});
    log.info('not at warn');
    log.debug({ x: 1 }, 'nor this');
    assert.equal(children(), 0);
    assert.equal(lines.length, 0);
    assert.equal(log.level, 'warn');
  });

  it('writes the same lines as a real child, reqId and all, at the enabled levels', () => {
    const { logger, lines, children } = capture('info');
    const log = lazyChildLogger(logger, { reqId: 'r2' }, {});
    log.info({ a: 1 }, 'first');
    log.warn('second');
    assert.equal(children(), 1, 'one real child, made once');
    log.child({ part: 'x' }).error('third');
    assert.equal(children(), 2, "and the grandchild, the real child's own");
    assert.deepEqual(
      lines.map((l) => [l.reqId, l.msg, l.level]),
      [
        ['r2', 'first', 30],
        ['r2', 'second', 40],
        ['r2', 'third', 50],
      ],
    );
    assert.equal(lines[0]!.a, 1);
    assert.equal(lines[2]!.part, 'x');
  });

  it('leaves a route of its own level or serialisers to pino', () => {
    const { logger, children } = capture('info');
    lazyChildLogger(logger, { reqId: 'r3' }, { level: 'debug' });
    assert.equal(children(), 1);
  });
});

describe("Fastify's per-request lines", () => {
  it('are built only at a level that writes them', () => {
    assert.equal(requestLinesLogged(undefined, 'info'), true);
    assert.equal(requestLinesLogged(undefined, 'debug'), true);
    assert.equal(requestLinesLogged(undefined, 'warn'), false);
    assert.equal(requestLinesLogged(undefined, 'silent'), false);
    assert.equal(requestLinesLogged(false, 'info'), false);
    assert.equal(requestLinesLogged({ level: 'error' }, 'info'), false);
    assert.equal(requestLinesLogged({ level: 'trace' }, 'warn'), true);
    assert.equal(requestLinesLogged({}, 'warn'), true, "pino's own default is info");
  });
});
