/** `parley keys rotate`, `parley migrate` and `parley config`. */
import type { Command } from 'commander';
import { loadConfigOrExit } from '../config.js';
import { migrationNames } from '../adapters/store/migrations.js';
import { maskConfig } from './mask-config.js';
import { withCore } from './run.js';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** Registers the key, migration and configuration commands on `program`. */
export function registerSystemCommands(program: Command): void {
  const keys = program.command('keys').description('access-token signing keys');
  keys
    .command('rotate')
    .description('make a new signing key current on every node; tokens of older keys verify until they expire')
    .action(async () => {
      const { kid } = await withCore((core) => core.admin.rotateSigningKey());
      say(`New signing key ${kid}; earlier keys stay in the JWKS and keep verifying`);
    });

  program
    .command('migrate')
    .description('apply pending schema migrations and exit')
    .action(async () => {
      const { openStore } = await import('../app.js');
      const { store } = await openStore(loadConfigOrExit());
      await store.close();
      say(`The ${store.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'} schema is at ${migrationNames().at(-1)}`);
    });

  program
    .command('config')
    .description('print the effective configuration as JSON, secrets masked')
    .action(() => say(JSON.stringify(maskConfig(loadConfigOrExit()), null, 2)));
}
