/** The HTTP layer: JSON requests with the token, and RFC 9457 problems as `ParleyError`. */

/** One entry of a problem's `invalid_parameters`. */
export interface InvalidParameter {
  name: string;
  reason: string;
}

/** A non-2xx answer: the server's problem details (or what could be read of them). */
export class ParleyError extends Error {
  override readonly name = 'ParleyError';
  constructor(
    /** HTTP status. */
    readonly status: number,
    /** The problem's stable `type` URN, e.g. `urn:parley:problem:validation`. */
    readonly type: string,
    readonly title: string,
    readonly detail: string | undefined,
    readonly invalidParameters: InvalidParameter[] = [],
    /** Seconds, from `Retry-After` (429). */
    readonly retryAfter?: number,
  ) {
    super(detail ? `${status} ${title}: ${detail}` : `${status} ${title}`);
  }
}

/** A raw request body: bytes, a Blob, a string or a stream. */
export type RawBody = NonNullable<RequestInit['body']>;

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface RequestOptions {
  method?: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body (serialised), unless `raw` is given. */
  body?: unknown;
  /** A raw body (uploads), sent as is. */
  raw?: RawBody;
  headers?: Record<string, string>;
  /** Send without the token (registration, login). */
  anonymous?: boolean;
  signal?: AbortSignal;
}

/** Builds `base + path?query`, dropping undefined query values. */
export function buildUrl(base: string, path: string, query?: RequestOptions['query']): string {
  const url = new URL(base.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
  return url.toString();
}

/** Turns a failed response into a `ParleyError`. */
export async function errorFrom(res: Response): Promise<ParleyError> {
  const text = await res.text().catch(() => '');
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: keep the status text
  }
  // The rooms API answers `{error: {type, message}, data}` instead of a problem.
  const envelope = body.error as { type?: unknown; message?: unknown } | null | undefined;
  if (envelope && typeof envelope === 'object') body = { type: envelope.type, title: envelope.type, detail: envelope.message };
  const retry = res.headers.get('retry-after');
  return new ParleyError(
    res.status,
    typeof body.type === 'string' ? body.type : 'about:blank',
    typeof body.title === 'string' ? body.title : res.statusText || 'Error',
    typeof body.detail === 'string' ? body.detail : text || undefined,
    Array.isArray(body.invalid_parameters) ? (body.invalid_parameters as InvalidParameter[]) : [],
    retry === null ? undefined : Number(retry),
  );
}

/** Sends one request and parses the JSON answer; throws `ParleyError` on non-2xx. */
export async function send<T>(fetchFn: Fetch, base: string, token: string | undefined, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { ...options.headers };
  if (token && !options.anonymous) headers.authorization = `Bearer ${token}`;
  let body: RawBody | undefined = options.raw;
  if (body === undefined && options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const init: RequestInit = { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers };
  if (body !== undefined) init.body = body;
  if (options.signal) init.signal = options.signal;
  // Node's fetch needs `duplex` for a streamed body; browsers ignore it.
  if (options.raw !== undefined) (init as { duplex?: string }).duplex = 'half';
  const res = await fetchFn(buildUrl(base, path, options.query), init);
  if (!res.ok) throw await errorFrom(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : {}) as T;
}
