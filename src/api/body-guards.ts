/**
 * Guards against clients that hold requests open (issue 24: 500 slow JSON bodies and 100
 * slow uploads were all still open after 40 s, each allowed up to HTTP_REQUEST_TIMEOUT).
 *
 * - A minimum body rate: once a body has been arriving for the grace period, it must have
 *   averaged `minBytesPerSecond`, or the request is answered 408 and its connection closed.
 *   Bytes are counted on the socket (the body stream is never touched, so nothing is read
 *   early), and a body the server itself is slow to take (its buffer full: back-pressure
 *   from storage) restarts the count instead of being blamed on the client.
 * - A per-address cap: past `maxOpenPerAddress` requests open at once from one address
 *   (`request.ip`, so behind a proxy set TRUST_PROXY), a request is answered 429 without its
 *   body being read. WebSocket upgrades are not counted: they are sockets, not requests.
 *
 * Both answer in the problem-details shape, written on the socket for the 408 (the request
 * is mid-body; its handler then sees the connection close, as with HTTP_REQUEST_TIMEOUT).
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface BodyGuardSettings {
  /** Average bytes per second a body must keep after the grace period; 0 = no minimum. */
  minBytesPerSecond: number;
  /** How long a body may take before its rate is checked. */
  graceMs: number;
  /** Requests one address may have open at once; 0 = no cap. */
  maxOpenPerAddress: number;
}

/** How often a body's rate is checked. */
const CHECK_MS = 500;

const problemText = (status: number, code: string, title: string, detail: string) =>
  JSON.stringify({ type: `urn:parley:problem:${code}`, title, status, detail });

const hasBody = (request: FastifyRequest) => {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
};

/** Installs both guards on `app` (its `onRequest` hooks run before any body is read). */
export function useBodyGuards(app: FastifyInstance, settings: BodyGuardSettings): void {
  const { minBytesPerSecond, graceMs, maxOpenPerAddress } = settings;
  const open = new Map<string, number>();

  app.addHook('onRequest', (request, reply, done) => {
    if (request.headers.upgrade !== undefined) return done();
    if (maxOpenPerAddress > 0) {
      const address = request.ip;
      const count = (open.get(address) ?? 0) + 1;
      if (count > maxOpenPerAddress) {
        // Answered before the body is read: the connection closes rather than read it.
        reply
          .code(429)
          .header('retry-after', '1')
          .header('connection', 'close')
          .type('application/problem+json')
          .send(problemText(429, 'too_many_requests', 'Too Many Requests', `At most ${maxOpenPerAddress} requests may be open at once from one address.`));
        return;
      }
      open.set(address, count);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const left = (open.get(address) ?? 1) - 1;
        if (left > 0) open.set(address, left);
        else open.delete(address);
      };
      // Whichever comes first: the answer finished, or the connection went.
      reply.raw.once('close', release);
      reply.raw.once('finish', release);
      request.raw.once('close', () => {
        if (reply.raw.writableFinished || reply.raw.destroyed) release();
      });
    }
    if (minBytesPerSecond > 0 && hasBody(request)) watchBodyRate(request, reply.raw, minBytesPerSecond, graceMs);
    done();
  });
}

/** Checks the body's average rate every CHECK_MS after the grace period until it is complete. */
function watchBodyRate(request: FastifyRequest, response: ServerResponse, minBytesPerSecond: number, graceMs: number): void {
  const raw = request.raw;
  const socket = raw.socket as Socket | null;
  // `inject` has no real socket; its bodies arrive whole.
  if (!socket || typeof socket.bytesRead !== 'number') return;
  let since = Date.now();
  let bytesAtStart = socket.bytesRead;
  const started = since;
  const timer = setInterval(() => {
    if (raw.complete || socket.destroyed) return stop();
    const now = Date.now();
    if (raw.readableLength >= raw.readableHighWaterMark) {
      // The server is behind, not the client: count afresh from here.
      since = now;
      bytesAtStart = socket.bytesRead;
      return;
    }
    if (now - started < graceMs || now - since < graceMs) return;
    const rate = ((socket.bytesRead - bytesAtStart) * 1000) / (now - since);
    if (rate >= minBytesPerSecond) return;
    stop();
    request.log.info({ rate: Math.round(rate) }, 'request body slower than the minimum rate; answered 408');
    const body = problemText(408, 'request_timeout', 'Request Timeout', `The request body arrived slower than ${minBytesPerSecond} bytes per second.`);
    // Unless an answer has begun (then the close alone tells the client).
    if (socket.writable && !response.headersSent) {
      socket.write(
        `HTTP/1.1 408 Request Timeout\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroySoon();
  }, CHECK_MS);
  timer.unref();
  const stop = () => clearInterval(timer);
  raw.once('end', stop);
  raw.once('close', stop);
}
