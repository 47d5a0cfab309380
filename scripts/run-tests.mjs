#!/usr/bin/env node
// Runs every *.test.ts under test/ and src/ with Node's test runner (TypeScript through tsx).
// Node 20's `--test` takes no globs, so the files are listed here. Extra arguments (such as
// a file name filter) narrow the set: `npm test -- revocation`.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function find(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(full).isDirectory()) return find(full);
    return name.endsWith('.test.ts') ? [full] : [];
  });
}

const filters = process.argv.slice(2);
// The suite runs twice in CI: on the embedded adapters, then with PARLEY_TEST_STORE=postgres
// PARLEY_TEST_BUS=redis. A file that picks its own stores (a server process of its own, every
// adapter in turn) says so with a line `// @one-pass: <why>`, and the second pass leaves it out:
// it would run the very same thing again.
const secondPass = Boolean(process.env.PARLEY_TEST_STORE || process.env.PARLEY_TEST_BUS);
const onePass = (file) => readFileSync(file, 'utf8').startsWith('// @one-pass:');
const matching = [...find('test'), ...find('src')].filter((f) => filters.length === 0 || filters.some((word) => f.includes(word))).sort();
const files = secondPass ? matching.filter((f) => !onePass(f)) : matching;
if (files.length < matching.length) {
  console.log(`# on PostgreSQL + Redis: ${matching.length - files.length} file(s) marked @one-pass ran in the first pass already`);
  if (files.length === 0) process.exit(0);
}
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test' },
});
process.exit(result.status ?? 1);
