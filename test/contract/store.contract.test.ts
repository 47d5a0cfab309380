import path from 'node:path';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { tempDir } from '../helpers.js';
import { storeContract } from './store.contract.js';

storeContract('SQLite (file, WAL)', async () => (await openSqliteStore(path.join(tempDir(), 'parley.db'))).store);
storeContract('SQLite (:memory:)', async () => (await openSqliteStore(':memory:')).store);
