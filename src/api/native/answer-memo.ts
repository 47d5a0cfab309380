/**
 * Remembers a serialised answer while the values it was made from stay the same: the
 * caller's `GET /users/me` is asked for again and again and changes rarely. Presenting it
 * (three dates turned to text per session, the objects built) and serialising it were the
 * larger part of that route's own CPU.
 *
 * Exact, not timed: an answer is reused only when every input is the same value (`===`)
 * as when it was made: the user's presented fields, and each session and photo record. The
 * embedded store's read cache hands out the same frozen records while nothing has changed,
 * and any write replaces them; on stores without that cache the records are new objects
 * each time, so nothing is reused and the answer is made as before.
 */
export class AnswerMemo<K extends object> {
  private readonly answers = new WeakMap<K, { inputs: readonly unknown[]; body: string }>();

  /** The answer made from `inputs` for `key`: the remembered one when every input is unchanged. */
  get(key: K, inputs: readonly unknown[], make: () => string): string {
    const kept = this.answers.get(key);
    if (kept && sameValues(kept.inputs, inputs)) return kept.body;
    const body = make();
    this.answers.set(key, { inputs, body });
    return body;
  }
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
