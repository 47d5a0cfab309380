#!/usr/bin/env node
/**
 * `parley`: the server (`parley serve`, also with no command) and its admin commands. Reads
 * the same configuration as the server (environment and `.env`). Exit status 0 when done,
 * 1 with one line on stderr when not.
 */
import { Command } from 'commander';
import { loadConfigOrExit } from '../config.js';
import { backup, restore } from './backup.js';
import { describeFailure } from './run.js';
import { registerSystemCommands } from './system.commands.js';
import { registerUserCommands } from './users.commands.js';

let serving = false;
const program = new Command('parley').description('Parley chat server and its administration').showHelpAfterError();

program
  .command('serve')
  .description('start the server (the default)')
  .action(async () => {
    serving = true;
    await import('../server.js');
  });

registerUserCommands(program);
registerSystemCommands(program);

program
  .command('backup <dir>')
  .description('online backup of the SQLite store and the uploads into a new folder, with manifest.json')
  .action(async (dir: string) => {
    const m = await backup(loadConfigOrExit(), dir);
    const counts = Object.entries(m.counts)
      .map(([table, n]) => `${n} ${table}`)
      .join(', ');
    process.stdout.write(`Backed up schema ${m.schemaVersion} (${counts}) and ${m.uploads.files} upload file(s) into ${dir}\n`);
  });

program
  .command('restore <dir>')
  .description('restore a backup into DATA_DIR (the server must be stopped)')
  .option('--force', 'replace the data DATA_DIR already holds')
  .action(async (dir: string, o: { force?: boolean }) => {
    const m = await restore(loadConfigOrExit(), dir, o.force === true);
    process.stdout.write(`Restored the backup of ${m.createdAt} (schema ${m.schemaVersion}); start the server to migrate it if needed\n`);
  });

try {
  // No command at all starts the server, as `parley` always did.
  await program.parseAsync(process.argv.length > 2 ? process.argv : [...process.argv, 'serve']);
  // Admin commands end here even if a library left a handle open; the server keeps running.
  if (!serving) process.exit(process.exitCode ?? 0);
} catch (error) {
  process.stderr.write(`parley: ${describeFailure(error)}\n`);
  process.exit(1);
}
