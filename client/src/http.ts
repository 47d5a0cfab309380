/** The HTTP layer: JSON requests with the token, and RFC 9457 problems as `ParleyError`. */

/** One entry of a problem's `invalid_parameters`. */
export interface InvalidParameter {
  name: string;
  reason: string;
}

/** Which API family answered: each has its own error body. */
export type Family = 'native' | 'vapp' | 'rooms';

/**
 * A non-2xx answer of the native API (and the base of every family's error): the server's
 * RFC 9457 problem details, or what could be read of them.
 */
export class ParleyError extends Error {
  override readonly name: string = 'ParleyError';
  /** The family whose wire format the answer was in. */
  readonly family: Family = 'native';
  constructor(
    /** HTTP status. */
    readonly status: number,
    /** The problem's stable `type` URN, e.g. `urn:parley:problem:validation` (the rooms API: its error type, e.g. `BAD_BINDING`). */
    readonly type: string,
    readonly title: string,
    readonly detail: string | undefined,
    readonly invalidParameters: InvalidParameter[] = [],
    /** Seconds, from `Retry-After` (429, 503). */
    readonly retryAfter?: number,
  ) {
    super(detail ? `${status} ${title}: ${detail}` : `${status} ${title}`);
  }
}

/** A non-2xx answer of the V-app API (`/vapp`): a problem without `status`, with the original's `type` (e.g. `…:unauthorized`). */
export class VappError extends ParleyError {
  override readonly name = 'VappError';
  override readonly family = 'vapp';
}

/** A non-2xx answer of the rooms API (`/api/v1`): its envelope `{error: {type, message}, data: null}`; `code` is the type (`NOT_AUTHORIZED`…). */
export class RoomsError extends ParleyError {
  override readonly name = 'RoomsError';
  override readonly family = 'rooms';
  /** The envelope's error type, e.g. `BAD_BINDING`, `NOT_AUTHORIZED`, `RESOURCE_NOT_FOUND`. */
  get code(): string {
    return this.type;
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
  /** Another token than the client's (the V-app API's own). */
  token?: string | undefined;
  /** The family of the route, for its error class (default native). */
  family?: Family;
  signal?: AbortSignal;
}

/** Builds `base + path?query`, dropping undefined query values. */
export function buildUrl(base: string, path: string, query?: RequestOptions['query']): string {
  const url = new URL(base.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
  return url.toString();
}

/** Turns a failed response into the error class of `family`. */
export async function errorFrom(res: Response, family: Family = 'native'): Promise<ParleyError> {
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
  const Class = family === 'vapp' ? VappError : family === 'rooms' ? RoomsError : ParleyError;
  return new Class(
    res.status,
    typeof body.type === 'string' ? body.type : 'about:blank',
    typeof body.title === 'string' ? body.title : res.statusText || 'Error',
    typeof body.detail === 'string' ? body.detail : text || undefined,
    Array.isArray(body.invalid_parameters) ? (body.invalid_parameters as InvalidParameter[]) : [],
    retry === null ? undefined : Number(retry),
  );
}

/** Sends one request; the response when it is 2xx, else throws the family's error. */
export async function sendRaw(fetchFn: Fetch, base: string, token: string | undefined, path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  const bearer = options.token ?? token;
  if (bearer && !options.anonymous) headers.authorization = `Bearer ${bearer}`;
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
  if (!res.ok) throw await errorFrom(res, options.family);
  return res;
}

/** Sends one request and parses the JSON answer; throws the family's error on non-2xx. */
export async function send<T>(fetchFn: Fetch, base: string, token: string | undefined, path: string, options: RequestOptions = {}): Promise<T> {
  const text = await (await sendRaw(fetchFn, base, token, path, options)).text();
  return (text ? JSON.parse(text) : {}) as T;
}

/** The URL of `rel` in an RFC 8288 `Link` header (`<url>; rel="next", <url>; rel="prev"`), or undefined. */
export function linkOf(header: string | null, rel: string): string | undefined {
  for (const part of (header ?? '').split(/,\s*(?=<)/)) {
    const [target, ...params] = part.split(';');
    const url = /^\s*<([^>]*)>\s*$/.exec(target ?? '')?.[1];
    const rels = params.map((p) => /^\s*rel\s*=\s*"?([^"]*)"?\s*$/i.exec(p)?.[1]).find((r) => r !== undefined);
    if (url !== undefined && rels?.split(/\s+/).includes(rel)) return url;
  }
  return undefined;
}
