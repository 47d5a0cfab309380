/** `Range: bytes=…` (RFC 9110 14.2), the single-range subset that clients actually send. */

export type RangeResult = { kind: 'none' } | { kind: 'unsatisfiable' } | { kind: 'range'; start: number; end: number };

const BYTES_RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * Parses `header` for a resource of `size` bytes. A missing, malformed or multi-range header
 * is `none` (the whole resource is served, which RFC 9110 allows); a well-formed range that
 * misses the resource is `unsatisfiable` (416); `end` is inclusive and clamped to the size.
 */
export function parseByteRange(header: string | undefined, size: number): RangeResult {
  const match = header === undefined ? null : BYTES_RANGE.exec(header.trim());
  if (!match) return { kind: 'none' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'none' };
  if (first === '') {
    // A suffix: the last N bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return { kind: 'none' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', start, end };
}

/** True when an `If-None-Match` header matches the strong `etag` (or is `*`). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}
