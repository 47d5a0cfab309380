/**
 * The readers `loadConfig` lends to each area of the configuration (config.<area>.ts): each
 * reads one variable, records a problem on a bad value and returns a fallback or undefined,
 * so that every mistake is listed at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type Env = Record<string, string | undefined>;

export interface Readers {
  /** The trimmed value; undefined when unset or empty. */
  get(name: string): string | undefined;
  /** A whole number in [min, max], else `fallback` (and a problem when set but bad). */
  int(name: string, fallback: number, min: number, max: number): number;
  /** A URL with one of `schemes` (such as `'https:'`). */
  url(name: string, schemes: string[]): string | undefined;
  /** PEM text, given inline (with `\n` escapes) or as the path of a PEM file. */
  pem(name: string): string | undefined;
  /** Comma-separated origins (`https://chat.example.com`), `*` too when `star` is allowed. */
  origins(name: string, star: boolean): string[];
  problems: string[];
  cwd: string;
}

/** Readers over `env`, resolving relative paths against `cwd`, recording into `problems`. */
export function createReaders(env: Env, cwd: string, problems: string[]): Readers {
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name}: expected a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const url = (name: string, schemes: string[]): string | undefined => {
    const raw = get(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!schemes.includes(parsed.protocol)) throw new Error('scheme');
      return raw;
    } catch {
      problems.push(`${name}: expected a ${schemes.join(' or ')}// URL, got "${redactUrl(raw)}"`);
      return undefined;
    }
  };
  const pem = (name: string): string | undefined => {
    const raw = get(name);
    if (raw === undefined) return undefined;
    if (raw.startsWith('-----BEGIN')) return raw.replace(/\\n/g, '\n');
    const file = path.resolve(cwd, raw);
    if (!existsSync(file)) {
      problems.push(`${name}: expected PEM text or the path of a PEM file; no file at "${file}"`);
      return undefined;
    }
    const text = readFileSync(file, 'utf8');
    if (!text.includes('-----BEGIN')) {
      problems.push(`${name}: the file "${file}" holds no PEM block`);
      return undefined;
    }
    return text;
  };
  const origins = (name: string, star: boolean): string[] => {
    const list = (get(name) ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean);
    for (const origin of list) {
      if (star && origin === '*') continue;
      if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
        problems.push(`${name}: "${origin}" is not an origin such as https://chat.example.com${star ? ' (or *)' : ''}`);
      }
    }
    return list;
  };
  return { get, int, url, pem, origins, problems, cwd };
}

/** Hides a password in a URL before it is echoed in an error line or a log. */
export function redactUrl(raw: string): string {
  return raw.replace(/\/\/([^:/@]*):([^@/]+)@/, '//$1:***@');
}
