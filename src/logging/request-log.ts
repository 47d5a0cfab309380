/**
 * What a log line says of a request: method, URL and address, never a credential. Headers are
 * not logged at all (so neither `Authorization` nor `x-access-token` can be); in the URL, the
 * value of every query parameter whose name is a credential is masked, whatever the spelling
 * of that name: the query parser decodes names, so `?%74oken=` authenticates as `?token=`
 * does and must be masked as well.
 */

/** Query parameter names (decoded, lower case) whose values are never logged. */
const SECRET_NAME = /token|password|secret/;

/** The names a raw query key may stand for: itself and its percent-decodings (a few levels). */
function decodedNames(rawKey: string): string[] {
  const names = [rawKey.toLowerCase()];
  let key = rawKey;
  for (let depth = 0; depth < 3 && key.includes('%'); depth++) {
    try {
      key = decodeURIComponent(key.replace(/\+/g, ' '));
    } catch {
      // A malformed escape: strip the escapes so that "%7" + "4oken" still reads "…oken".
      key = key.replace(/%[0-9a-f]{0,2}/gi, '');
    }
    names.push(key.toLowerCase());
  }
  return names;
}

/** `url` with the values of credential query parameters replaced by `***`. */
export function redactUrl(url: string): string {
  const question = url.indexOf('?');
  if (question === -1) return url;
  const query = url
    .slice(question + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals === -1) return pair;
      const key = pair.slice(0, equals);
      return decodedNames(key).some((name) => SECRET_NAME.test(name)) ? `${key}=***` : pair;
    });
  return `${url.slice(0, question)}?${query.join('&')}`;
}

/** Pino's `req` serializer: the request without secrets. */
export function serializeRequest(request: { method: string; url: string; ip?: string; id?: string }) {
  return { method: request.method, url: redactUrl(request.url), remoteAddress: request.ip };
}
