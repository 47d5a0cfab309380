/** A self-signed certificate for 127.0.0.1, made once per test file (selfsigned), for the HTTPS stand-ins. */
import { generate } from 'selfsigned';

let made: Promise<{ key: string; cert: string }> | undefined;

/** `{key, cert}` PEM; `cert` is also the CA the adapters are told to trust. */
export function localCertificate(): Promise<{ key: string; cert: string }> {
  made ??= generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  }).then((pems) => ({ key: pems.private, cert: pems.cert }));
  return made;
}

/** Waits until `predicate` holds, or throws after `ms` naming `what`. */
export async function eventually<T>(predicate: () => T | undefined | false | Promise<T | undefined | false>, what: string, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Lets `ms` pass (to show that nothing happens in that time). */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
