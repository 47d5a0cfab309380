/**
 * The SQLite index's relevance score. FTS5's bm25 depends on the whole corpus, so a page's
 * order would shift as others send; this score depends only on the message and the query:
 * each include term adds tf/(tf+1), and the sum is damped by the message's length (as
 * PostgreSQL's `ts_rank(…, 1)` is). An integer, so cursors compare exactly.
 */
import type { SearchTerm } from '../../ports/search-index.js';

/** Folds and splits like the FTS5 tokenizer (unicode61, remove_diacritics 2). */
function tokens(text: string): string[] {
  return (
    text
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

function occurrences(words: string[], term: SearchTerm): number {
  const n = term.tokens.length;
  let count = 0;
  for (let i = 0; i + n <= words.length; i++) {
    let ok = true;
    for (let k = 0; k < n && ok; k++) {
      const wanted = term.tokens[k]!;
      ok = term.prefix && k === n - 1 ? words[i + k]!.startsWith(wanted) : words[i + k] === wanted;
    }
    if (ok) count++;
  }
  return count;
}

/** The score of `text` for `terms` (the query's include terms). */
export function textScore(text: string, terms: SearchTerm[]): number {
  const words = tokens(text);
  let sum = 0;
  for (const term of terms) {
    const tf = occurrences(words, term);
    sum += tf / (tf + 1);
  }
  return Math.round((1e6 * sum) / (1 + Math.log(1 + words.length)));
}
