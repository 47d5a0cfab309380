/**
 * The outbox workers' wake-up (push, webhooks): `kick` runs `pass`; a kick that comes while a
 * pass runs is not lost but makes one more pass after it, so any number of kicks during a pass
 * cost one extra pass, and never two passes at once. A pass that throws is reported by the
 * caller's `pass` itself. `idle()` resolves when no pass runs (for stop()).
 */
export function coalescingRunner(pass: () => Promise<void>, stopped: () => boolean) {
  let running: Promise<void> | undefined;
  let again = false;

  async function loop(): Promise<void> {
    do {
      again = false;
      await pass();
    } while (again && !stopped());
  }

  return {
    kick(): void {
      if (stopped()) return;
      if (running) {
        again = true;
        return;
      }
      running = loop().finally(() => (running = undefined));
    },
    idle: (): Promise<void> => running ?? Promise.resolve(),
  };
}
