/**
 * Fastify gives every request a child logger carrying its `reqId`. pino builds one in full
 * each time (Fastify always passes options, which takes pino's slower path: the formatters
 * rebuilt, the bindings serialised), though at the default level most requests never log a
 * line. Here a request's logger is a stand-in that builds the real child only when it first
 * writes at a level that is enabled, or is asked for its own child: the lines it writes are
 * the same, `reqId` and all.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilent } from 'pino';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** The parent as pino makes it: it can tell whether a level is on. */
type Parent = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

class LazyChild {
  #real: FastifyBaseLogger | undefined;
  readonly #parent: Parent;
  readonly #bindings: Bindings;

  constructor(parent: Parent, bindings: Bindings) {
    this.#parent = parent;
    this.#bindings = bindings;
  }

  /** The real child, made on first need. */
  #child(): FastifyBaseLogger {
    this.#real ??= this.#parent.child(this.#bindings);
    return this.#real;
  }

  #write(level: Level, args: unknown[]): void {
    if (this.#real === undefined && !this.#parent.isLevelEnabled(level)) return;
    (this.#child()[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): string {
    return (this.#real ?? this.#parent).level;
  }
  set level(level: LevelWithSilent | string) {
    this.#child().level = level;
  }
  isLevelEnabled(level: string): boolean {
    return this.#real === undefined ? this.#parent.isLevelEnabled(level) : (this.#real as Parent).isLevelEnabled(level);
  }
  bindings(): Bindings {
    return (this.#child() as FastifyBaseLogger & { bindings(): Bindings }).bindings();
  }
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#child().child(bindings, options);
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }
  info(...args: unknown[]): void {
    this.#write('info', args);
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }
  error(...args: unknown[]): void {
    this.#write('error', args);
  }
  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }
  silent(): void {}
}

/**
 * Fastify's `childLoggerFactory`: a lazy child when the route asks for nothing of its own (no
 * level, no serialisers) and the parent is a pino logger; otherwise the child as Fastify makes it.
 */
export function lazyChildLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  const parent = logger as Partial<Parent>;
  if (typeof parent.isLevelEnabled !== 'function' || Object.keys(options).length > 0) return logger.child(bindings, options);
  return new LazyChild(parent as Parent, bindings) as unknown as FastifyBaseLogger;
}
