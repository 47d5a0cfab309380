/**
 * The search query language, shared by every store: words (all must match), `prefix*`,
 * `"quoted phrases"` and `-exclusions` (of a word, prefix or phrase). Case and diacritics
 * are folded on both sides. Also the folding and matching used for highlights and for chat
 * search, which runs over a handful of documents in memory.
 */
import { invalid } from '../errors.js';
import type { MessageQuery, SearchTerm } from '../ports/search-index.js';

/** The longest query accepted (characters); longer is a 400, so operator floods cost nothing. */
export const QUERY_MAX_LENGTH = 256;
/** The most terms (words, prefixes, phrases, exclusions) in one query. */
export const QUERY_MAX_TERMS = 16;
/** A prefix needs this many letters: shorter ones would match most of the index. */
export const PREFIX_MIN_LENGTH = 2;

/**
 * Common English words dropped from a query when they stand alone (not inside a phrase):
 * they would match nearly every message and rank nothing. A query of only these finds nothing.
 */
const STOP_WORDS = new Set('a an and are as at be but by for from has have i in is it its of on or that the this to was were will with'.split(' '));

/** Lower case without diacritics: "Déploiement" → "deploiement". */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

const TOKEN = /[\p{L}\p{N}]+/gu;

/** The folded tokens (runs of letters and digits) of `text`. */
export function tokenize(text: string): string[] {
  return fold(text).match(TOKEN) ?? [];
}

/** A parsed query: `empty` when nothing is left to search for (only stop-words or symbols). */
export type ParsedQuery = MessageQuery & { empty: boolean };

const bad = (reason: string) => invalid([{ name: 'q', reason }]);

/** Splits the raw query into `-`-marked chunks: quoted phrases and whitespace-separated words. */
function chunks(raw: string): Array<{ text: string; quoted: boolean; negated: boolean }> {
  const out: Array<{ text: string; quoted: boolean; negated: boolean }> = [];
  let i = 0;
  while (i < raw.length) {
    while (i < raw.length && /\s/.test(raw[i]!)) i++;
    if (i >= raw.length) break;
    let negated = false;
    if (raw[i] === '-') {
      negated = true;
      i++;
    }
    if (raw[i] === '"') {
      const end = raw.indexOf('"', i + 1);
      if (end < 0) throw bad('has an unbalanced quote');
      out.push({ text: raw.slice(i + 1, end), quoted: true, negated });
      i = end + 1;
      continue;
    }
    let end = i;
    while (end < raw.length && !/\s/.test(raw[end]!) && raw[end] !== '"') end++;
    out.push({ text: raw.slice(i, end), quoted: false, negated });
    i = end;
  }
  return out;
}

/**
 * Parses a query; throws 400 `validation` on `q` for an unbalanced quote, too many terms or a
 * one-letter prefix. A word with inner punctuation (`deploy-v2`) is the phrase of its parts.
 */
export function parseQuery(raw: string): ParsedQuery {
  if (raw.length > QUERY_MAX_LENGTH) throw bad(`must be at most ${QUERY_MAX_LENGTH} characters`);
  const include: SearchTerm[] = [];
  const exclude: SearchTerm[] = [];
  const parts = chunks(raw);
  if (parts.length > QUERY_MAX_TERMS) throw bad(`must have at most ${QUERY_MAX_TERMS} terms`);
  for (const part of parts) {
    const prefix = !part.quoted && part.text.endsWith('*');
    const tokens = tokenize(part.text);
    if (tokens.length === 0) continue;
    if (prefix && tokens[tokens.length - 1]!.length < PREFIX_MIN_LENGTH) throw bad(`a prefix needs at least ${PREFIX_MIN_LENGTH} letters`);
    if (!part.quoted && !prefix && tokens.length === 1 && STOP_WORDS.has(tokens[0]!)) continue;
    (part.negated ? exclude : include).push({ tokens, prefix });
  }
  return { include, exclude, empty: include.length === 0 };
}

const tokenMatches = (token: string, wanted: string, prefix: boolean) => (prefix ? token.startsWith(wanted) : token === wanted);

/** The start indexes in `tokens` where `term` matches. */
export function termPositions(tokens: string[], term: SearchTerm): number[] {
  const at: number[] = [];
  const n = term.tokens.length;
  for (let i = 0; i + n <= tokens.length; i++) {
    let ok = true;
    for (let k = 0; k < n && ok; k++) ok = tokenMatches(tokens[i + k]!, term.tokens[k]!, term.prefix && k === n - 1);
    if (ok) at.push(i);
  }
  return at;
}

/** True when `text` satisfies the query (every include term, no exclude term). */
export function matchesText(text: string, query: MessageQuery): boolean {
  const tokens = tokenize(text);
  return query.include.every((t) => termPositions(tokens, t).length > 0) && !query.exclude.some((t) => termPositions(tokens, t).length > 0);
}

/** A piece of a highlighted text: `match` marks the words the query found. */
export interface HighlightSegment {
  text: string;
  match: boolean;
}

/**
 * `text` cut into segments with the matched words (and phrases) marked. Works on the original
 * text, so accents and case are shown as written; matching is on folded tokens.
 */
export function highlight(text: string, query: MessageQuery): HighlightSegment[] {
  // Token spans in the original text: folding is per token, so positions stay the original's.
  const spans: Array<{ start: number; end: number; token: string }> = [];
  for (const m of text.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    const folded = tokenize(m[0]);
    // A run that folds into several tokens is rare (marks between letters); keep it whole.
    if (folded.length > 0) spans.push({ start: m.index, end: m.index + m[0].length, token: folded.join('') });
  }
  const tokens = spans.map((s) => s.token);
  const marked = new Array<boolean>(spans.length).fill(false);
  for (const term of query.include) {
    for (const at of termPositions(tokens, term)) for (let k = 0; k < term.tokens.length; k++) marked[at + k] = true;
  }
  const out: HighlightSegment[] = [];
  const push = (piece: string, match: boolean) => {
    if (piece === '') return;
    const last = out[out.length - 1];
    if (last && last.match === match) last.text += piece;
    else out.push({ text: piece, match });
  };
  let cursor = 0;
  spans.forEach((span, i) => {
    const gap = text.slice(cursor, span.start);
    // The gap between two marked words of a phrase belongs to the one marked segment.
    push(gap, marked[i] === true && i > 0 && marked[i - 1] === true);
    push(text.slice(span.start, span.end), marked[i] === true);
    cursor = span.end;
  });
  push(text.slice(cursor), false);
  return out;
}
