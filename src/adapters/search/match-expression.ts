/**
 * Turns folded query terms into each engine's own syntax. The tokens come from the core
 * parser and hold only letters and digits, so quoting them is enough to keep operators out.
 */
import type { MessageQuery, SearchTerm } from '../../ports/search-index.js';

const fts5Term = (t: SearchTerm) => `"${t.tokens.join(' ')}"${t.prefix ? '*' : ''}`;

/** An FTS5 MATCH expression: `"a" AND "b c" AND "pre"* NOT "x"`. */
export function fts5Match(query: MessageQuery): string {
  const positive = query.include.map(fts5Term).join(' AND ');
  return [`(${positive})`, ...query.exclude.map(fts5Term)].join(' NOT ');
}

const tsTerm = (t: SearchTerm) => `(${t.tokens.map((token, i) => (t.prefix && i === t.tokens.length - 1 ? `${token}:*` : token)).join(' <-> ')})`;

/** A `to_tsquery` text: `(a) & (b <-> c) & (pre:*) & !(x)`. */
export function tsQuery(query: MessageQuery): string {
  return [...query.include.map(tsTerm), ...query.exclude.map((t) => `!${tsTerm(t)}`)].join(' & ');
}
