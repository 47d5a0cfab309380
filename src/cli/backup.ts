/**
 * `parley backup <dir>` and `parley restore <dir>` for the embedded default: the SQLite file
 * (an online backup, the server may keep running) and `DATA_DIR/uploads`, with a manifest.
 * With PostgreSQL the database is backed up with pg_dump instead (README "Backups and restore").
 */
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { nodeIsRunning } from '../adapters/bus/local-control.js';
import { backupSqliteFile, describeSqliteFile, type SqliteSnapshotFacts } from '../adapters/store/sqlite-backup.js';
import type { Config } from '../config.js';
import { CliError } from './run.js';

export const MANIFEST = 'manifest.json';
const DB_FILE = 'parley.db';

/** What `manifest.json` records. */
export interface Manifest extends SqliteSnapshotFacts {
  format: 1;
  createdAt: string;
  store: 'sqlite';
  uploads: { files: number; bytes: number };
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );
const entries = (dir: string) => readdir(dir).catch(() => [] as string[]);
// Half-written uploads (the fs blob store's temp files) are not part of a backup.
const notTemp = (file: string) => !path.basename(file).startsWith('.tmp-');

async function sizeOf(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (!entry.isFile()) continue;
    files++;
    bytes += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return { files, bytes };
}

function refusePostgres(config: Config, verb: 'back up' | 'restore') {
  if (!config.databaseUrl) return;
  const tool = verb === 'restore' ? 'pg_restore' : 'pg_dump';
  throw new CliError(
    `DATABASE_URL is set: ${verb} PostgreSQL with ${tool} (see README "Backups and restore"); parley backup covers the embedded SQLite store only.`,
  );
}

/** Takes an online backup of DATA_DIR's store and uploads into the new or empty folder `dir`. */
export async function backup(config: Config, dir: string): Promise<Manifest> {
  refusePostgres(config, 'back up');
  const source = path.join(config.dataDir, DB_FILE);
  if (!(await exists(source))) throw new CliError(`No database at ${source}: is DATA_DIR right?`);
  await mkdir(dir, { recursive: true });
  if ((await entries(dir)).length > 0) throw new CliError(`${dir} is not empty; back up into a new folder.`);
  // The database first: every upload it names was complete before, so it is copied after.
  await backupSqliteFile(source, path.join(dir, DB_FILE));
  const uploads = path.join(dir, 'uploads');
  const from = path.join(config.dataDir, 'uploads');
  if (await exists(from)) await cp(from, uploads, { recursive: true, filter: notTemp });
  else await mkdir(uploads);
  const manifest: Manifest = {
    format: 1,
    createdAt: new Date().toISOString(),
    store: 'sqlite',
    ...describeSqliteFile(path.join(dir, DB_FILE)),
    uploads: await sizeOf(uploads),
  };
  await writeFile(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Restores the backup in `dir` into DATA_DIR. Refused while a server runs on DATA_DIR (even
 * with `force`), and when DATA_DIR already holds data unless `force` (which replaces it).
 */
export async function restore(config: Config, dir: string, force: boolean): Promise<Manifest> {
  refusePostgres(config, 'restore');
  const manifest = JSON.parse(
    await readFile(path.join(dir, MANIFEST), 'utf8').catch(() => {
      throw new CliError(`${dir} holds no ${MANIFEST}: not a parley backup.`);
    }),
  ) as Manifest;
  if (manifest.format !== 1 || manifest.store !== 'sqlite') throw new CliError(`${dir}: unknown backup format.`);
  if (await nodeIsRunning(config.dataDir)) throw new CliError(`A server is running on ${config.dataDir}; stop it before restoring.`);
  const target = path.join(config.dataDir, DB_FILE);
  const uploads = path.join(config.dataDir, 'uploads');
  if (!force && ((await exists(target)) || (await entries(uploads)).length > 0)) {
    throw new CliError(`${config.dataDir} already holds data; restore into an empty DATA_DIR, or add --force to replace it.`);
  }
  await mkdir(config.dataDir, { recursive: true });
  // The old WAL must go with the old file, or SQLite would replay it onto the restored one.
  for (const suffix of ['-wal', '-shm', '']) await rm(`${target}${suffix}`, { force: true });
  await cp(path.join(dir, DB_FILE), `${target}.restoring`);
  await rename(`${target}.restoring`, target);
  await rm(uploads, { recursive: true, force: true });
  await cp(path.join(dir, 'uploads'), uploads, { recursive: true });
  return manifest;
}
