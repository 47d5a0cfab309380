/**
 * Messages persisted per second on the embedded default (SQLite) with 50 concurrent senders;
 * the full set of figures is `npm run bench` (bench/run.ts).
 *
 *   npx tsx bench/messages.ts [seconds] [plain|reply-mention|reaction|compare]
 *
 * `compare` runs the three modes one after the other (a fresh server each) and reports
 * sends with replyTo and a mention, and reactions, as a ratio of plain sends.
 */
import { machine, startParley } from './lib/server.js';
import { messagesPerSecond, type MessagesMode } from './scenarios/messages.js';

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

if (which === 'compare') {
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
