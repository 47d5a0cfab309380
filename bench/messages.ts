/**
 * Messages persisted per second on the embedded default (SQLite) with 50 concurrent senders;
 * the full set of figures is `npm run bench` (bench/run.ts).
 *
 *   npx tsx bench/messages.ts [seconds] [plain|reply-mention|reaction|compare|interleaved] [rounds]
 *
 * `compare` runs the three modes one after the other (a fresh server each) and reports
 * sends with replyTo and a mention, and reactions, as a ratio of plain sends.
 * `interleaved` runs them on one server and one chat, after a warm-up round of each, in
 * `rounds` rounds of plain, reply-mention, reaction (default 3), and reports the medians: the
 * three modes see the same machine load, which on a shared machine matters more than a fresh
 * server each.
 *
 *   npx tsx bench/messages.ts [seconds] ab [rounds] <checkout A> <checkout B>
 *
 * `ab` runs the interleaved rounds on a server of each checkout, alternating A and B within
 * each mode of each round, and reports each checkout's medians: an A/B of two commits that
 * both see the same load.
 */
import { machine, startParley } from './lib/server.js';
import { messagesPerSecond, runMessages, setUpMessages, type MessagesMode } from './scenarios/messages.js';

const seconds = Number(process.argv[2] ?? 10);
const which = process.argv[3] ?? 'plain';

async function run(mode: MessagesMode) {
  const server = await startParley();
  try {
    return await messagesPerSecond(server.url, seconds, 'sender', mode, server.pid);
  } finally {
    await server.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Row = Awaited<ReturnType<typeof runMessages>>;
const MODES: MessagesMode[] = ['plain', 'reply-mention', 'reaction'];
const ratio2 = (x: number) => Math.round(x * 100) / 100;

/** The medians of rounds of each mode: rates, CPU per operation, and the ratios to plain sends. */
function summary(rows: Record<MessagesMode, Row[]>) {
  const rate = (m: MessagesMode) => median(rows[m].map((x) => x.perSecond));
  const cpu = (m: MessagesMode) => median(rows[m].map((x) => x.cpuUsPerOp ?? Number.NaN));
  return {
    perSecond: Object.fromEntries(MODES.map((m) => [m, rows[m].map((x) => Math.round(x.perSecond))])),
    cpuUsPerOp: Object.fromEntries(MODES.map((m) => [m, rows[m].map((x) => x.cpuUsPerOp)])),
    medianCpuUsPerOp: Object.fromEntries(MODES.map((m) => [m, cpu(m)])),
    replyMentionRatio: ratio2(rate('reply-mention') / rate('plain')),
    reactionRatio: ratio2(rate('reaction') / rate('plain')),
    replyMentionRatioByCpu: ratio2(cpu('plain') / cpu('reply-mention')),
    reactionRatioByCpu: ratio2(cpu('plain') / cpu('reaction')),
    non2xx: Object.fromEntries(MODES.map((m) => [m, rows[m].reduce((a, x) => a + x.non2xx, 0)])),
  };
}

if (which === 'ab') {
  const rounds = Number(process.argv[4] ?? 3);
  const dirs = { A: process.argv[5], B: process.argv[6] };
  if (!dirs.A || !dirs.B) throw new Error('usage: npx tsx bench/messages.ts <seconds> ab <rounds> <checkout A> <checkout B>');
  const servers = { A: await startParley({}, dirs.A), B: await startParley({}, dirs.B) };
  try {
    const setups = { A: await setUpMessages(servers.A.url), B: await setUpMessages(servers.B.url) };
    const rows = {
      A: { plain: [], 'reply-mention': [], reaction: [] } as Record<MessagesMode, Row[]>,
      B: { plain: [], 'reply-mention': [], reaction: [] } as Record<MessagesMode, Row[]>,
    };
    for (const side of ['A', 'B'] as const) for (const mode of MODES) await runMessages(setups[side], Math.min(seconds, 3), mode, servers[side].pid);
    for (let r = 0; r < rounds; r++) {
      for (const mode of MODES) {
        for (const side of r % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const))
          rows[side][mode].push(await runMessages(setups[side], seconds, mode, servers[side].pid));
      }
    }
    console.log(
      JSON.stringify({ seconds, rounds, A: { dir: dirs.A, ...summary(rows.A) }, B: { dir: dirs.B, ...summary(rows.B) }, machine: await machine() }, null, 2),
    );
  } finally {
    await Promise.all([servers.A.stop(), servers.B.stop()]);
  }
} else if (which === 'interleaved') {
  const rounds = Number(process.argv[4] ?? 3);
  const server = await startParley();
  try {
    const setup = await setUpMessages(server.url);
    const modes: MessagesMode[] = ['plain', 'reply-mention', 'reaction'];
    for (const mode of modes) await runMessages(setup, Math.min(seconds, 3), mode, server.pid);
    const rows: Record<MessagesMode, Array<Awaited<ReturnType<typeof runMessages>>>> = { plain: [], 'reply-mention': [], reaction: [] };
    for (let r = 0; r < rounds; r++) for (const mode of modes) rows[mode].push(await runMessages(setup, seconds, mode, server.pid));
    const rate = (m: MessagesMode) => median(rows[m].map((x) => x.perSecond));
    const cpu = (m: MessagesMode) => median(rows[m].map((x) => x.cpuUsPerOp ?? Number.NaN));
    const ratio = (x: number) => Math.round(x * 100) / 100;
    console.log(
      JSON.stringify(
        {
          seconds,
          rounds,
          perSecond: Object.fromEntries(modes.map((m) => [m, rows[m].map((x) => Math.round(x.perSecond))])),
          cpuUsPerOp: Object.fromEntries(modes.map((m) => [m, rows[m].map((x) => x.cpuUsPerOp)])),
          replyMentionRatio: ratio(rate('reply-mention') / rate('plain')),
          reactionRatio: ratio(rate('reaction') / rate('plain')),
          replyMentionRatioByCpu: ratio(cpu('plain') / cpu('reply-mention')),
          reactionRatioByCpu: ratio(cpu('plain') / cpu('reaction')),
          non2xx: Object.fromEntries(modes.map((m) => [m, rows[m].reduce((a, x) => a + x.non2xx, 0)])),
          machine: await machine(),
        },
        null,
        2,
      ),
    );
  } finally {
    await server.stop();
  }
} else if (which === 'compare') {
  const plain = await run('plain');
  const reply = await run('reply-mention');
  const reaction = await run('reaction');
  const ratio = (x: number) => Math.round((x / plain.perSecond) * 100) / 100;
  console.log(
    JSON.stringify(
      {
        seconds,
        plainPerSecond: Math.round(plain.perSecond),
        replyMentionPerSecond: Math.round(reply.perSecond),
        reactionPerSecond: Math.round(reaction.perSecond),
        replyMentionRatio: ratio(reply.perSecond),
        reactionRatio: ratio(reaction.perSecond),
        // Server CPU (user + system) per operation; the ratios by CPU are plain / mode (less is better).
        cpuUsPerOp: { plain: plain.cpuUsPerOp, replyMention: reply.cpuUsPerOp, reaction: reaction.cpuUsPerOp },
        replyMentionRatioByCpu: plain.cpuUsPerOp && reply.cpuUsPerOp ? Math.round((plain.cpuUsPerOp / reply.cpuUsPerOp) * 100) / 100 : undefined,
        reactionRatioByCpu: plain.cpuUsPerOp && reaction.cpuUsPerOp ? Math.round((plain.cpuUsPerOp / reaction.cpuUsPerOp) * 100) / 100 : undefined,
        p99: { plain: plain.p99, replyMention: reply.p99, reaction: reaction.p99 },
        non2xx: { plain: plain.non2xx, replyMention: reply.non2xx, reaction: reaction.non2xx },
        machine: await machine(),
      },
      null,
      2,
    ),
  );
} else {
  const m = await run(which as MessagesMode);
  console.log(JSON.stringify({ ...m, mode: which, persistedPerSecond: Math.round(m.perSecond), machine: await machine() }, null, 2));
}
