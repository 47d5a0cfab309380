/**
 * Turns folded query terms into each engine's own syntax. The tokens come from the core
 * parser and hold only letters and digits, so quoting them is enough to keep operators out.
 */
import type { MessageQuery, SearchTerm } from '../../ports/search-index.js';

const fts5Term = (t: SearchTerm) => `"${t.tokens.join(' ')}"${t.prefix ? '*' : ''}`;

/** A chat id as the `chat` column holds it (dashes dropped), quoted as an FTS5 string. */
const fts5Chat = (chatId: string) => `"${chatId.replaceAll('-', '').replaceAll('"', '""')}"`;

/**
 * An FTS5 MATCH expression over the text, kept to `chatIds` when given:
 * `(text : (("a" AND "b c" AND "pre"*) NOT "x")) AND (chat : ("c1" OR "c2"))`.
 */
export function fts5Match(query: MessageQuery, chatIds?: string[]): string {
  const positive = query.include.map(fts5Term).join(' AND ');
  const text = `(text : (${[`(${positive})`, ...query.exclude.map(fts5Term)].join(' NOT ')}))`;
  return chatIds ? `${text} AND (chat : (${chatIds.map(fts5Chat).join(' OR ')}))` : text;
}

const tsTerm = (t: SearchTerm) => `(${t.tokens.map((token, i) => (t.prefix && i === t.tokens.length - 1 ? `${token}:*` : token)).join(' <-> ')})`;

/** A `to_tsquery` text: `(a) & (b <-> c) & (pre:*) & !(x)`. */
export function tsQuery(query: MessageQuery): string {
  return [...query.include.map(tsTerm), ...query.exclude.map((t) => `!${tsTerm(t)}`)].join(' & ');
}
