#!/usr/bin/env node
// Checks the files in deploy/ without a Docker engine (none runs on the build machine):
//   node scripts/check-deploy.mjs            lint deploy/Dockerfile, its .dockerignore, the
//                                            systemd unit and the nginx example; exit 1 on a problem
// The Dockerfile rules: every COPY source exists and is not ignored, stages referenced by
// --from exist, the build stage can compile better-sqlite3, the runtime stage runs as a
// non-root user with the data volume, a /healthz HEALTHCHECK and an exec-form CMD that the
// build produces. The unit goes through `systemd-analyze verify` when it is installed, and
// through the hardening rules below in any case.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Dockerfile instructions: continuation lines joined, comments and blanks dropped. */
export function instructions(text) {
  const out = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    current += (current ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (!line.endsWith('\\')) {
      const [keyword, ...rest] = current.split(/\s+/);
      out.push({ keyword: keyword.toUpperCase(), args: rest.join(' ') });
      current = '';
    }
  }
  return out;
}

/** Whether `file` (relative to the context) is excluded by .dockerignore `patterns` (simple globs, `!` re-includes). */
export function ignored(file, patterns) {
  let result = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = (negate ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '');
    const regex = new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*')}(/.*)?$`,
    );
    if (regex.test(file)) result = !negate;
  }
  return result;
}

/** Problems of a Dockerfile whose build context is `root`; an empty list when it passes. */
export function lintDockerfile(text, { root = ROOT, dockerignore = '' } = {}) {
  const problems = [];
  const patterns = dockerignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const steps = instructions(text);
  const stages = [];
  for (const step of steps) {
    if (step.keyword === 'FROM') stages.push({ from: step.args, name: /\sAS\s+(\S+)/i.exec(step.args)?.[1], steps: [] });
    else if (stages.length === 0) {
      if (step.keyword !== 'ARG') problems.push(`${step.keyword} before the first FROM`);
    } else stages.at(-1).steps.push(step);
  }
  if (stages.length < 2) return [...problems, 'expected a multi-stage build (a build stage and a runtime stage)'];
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const nodeMajor = /(\d+)/.exec(pkg.engines?.node ?? '')?.[1];
  for (const stage of stages) {
    const image = stage.from.split(/\s+/)[0];
    if (!image.includes(':') || image.endsWith(':latest')) problems.push(`FROM ${image}: pin a tag, not latest`);
    if (image.startsWith('node:') && nodeMajor && !image.startsWith(`node:${nodeMajor}`))
      problems.push(`FROM ${image}: package.json wants Node ${pkg.engines.node}`);
  }
  const names = new Set(stages.map((s) => s.name).filter(Boolean));
  const build = stages[0];
  const runtime = stages.at(-1);
  const buildRuns = build.steps
    .filter((s) => s.keyword === 'RUN')
    .map((s) => s.args)
    .join(' ; ');
  for (const tool of ['python3', 'make', 'g++']) {
    if (!new RegExp(`apt-get install[^;]*\\s${tool.replace('+', '\\+')}(\\s|$)`).test(buildRuns))
      problems.push(`the build stage does not install ${tool} (better-sqlite3 builds from source)`);
  }
  if (!/npm ci\b/.test(buildRuns)) problems.push('the build stage does not run npm ci');
  if (/npm run build\b/.test(buildRuns) && !pkg.scripts?.build) problems.push('npm run build: package.json has no build script');
  for (const stage of stages) {
    for (const step of stage.steps) {
      if (step.keyword === 'ADD' && /https?:\/\//.test(step.args)) problems.push(`ADD ${step.args}: download with RUN and check it instead`);
      if (step.keyword === 'RUN' && /apt-get install/.test(step.args)) {
        if (!/--no-install-recommends/.test(step.args)) problems.push('apt-get install without --no-install-recommends');
        if (!/rm -rf \/var\/lib\/apt\/lists/.test(step.args)) problems.push('apt-get install without removing /var/lib/apt/lists');
      }
      if (step.keyword !== 'COPY') continue;
      const parts = step.args.split(/\s+/);
      const from = parts.find((p) => p.startsWith('--from='))?.slice('--from='.length);
      const files = parts.filter((p) => !p.startsWith('--'));
      const sources = files.slice(0, -1);
      if (sources.length === 0) problems.push(`COPY ${step.args}: no source`);
      if (from !== undefined) {
        if (!names.has(from)) problems.push(`COPY --from=${from}: no stage of that name`);
        continue;
      }
      for (const source of sources) {
        const relative = source.replace(/^\.\//, '').replace(/\/$/, '') || '.';
        if (!existsSync(path.join(root, relative))) problems.push(`COPY ${source}: no such file in the build context`);
        else if (ignored(relative, patterns)) problems.push(`COPY ${source}: excluded by the .dockerignore`);
      }
    }
  }
  const all = (keyword) => runtime.steps.filter((s) => s.keyword === keyword);
  const user = all('USER').at(-1)?.args;
  if (!user || /^(root|0)(:|$)/.test(user)) problems.push('the runtime stage must end on a non-root USER');
  const env = Object.fromEntries(all('ENV').flatMap((s) => [...s.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]])));
  if (!env.DATA_DIR) problems.push('the runtime stage sets no DATA_DIR');
  else if (!all('VOLUME').some((s) => s.args.includes(env.DATA_DIR))) problems.push(`DATA_DIR ${env.DATA_DIR} is not a VOLUME`);
  if (env.PORT && !all('EXPOSE').some((s) => s.args.split(/\s+/).includes(env.PORT))) problems.push(`PORT ${env.PORT} is not EXPOSEd`);
  if (!all('HEALTHCHECK').some((s) => s.args.includes('/healthz'))) problems.push('no HEALTHCHECK on /healthz');
  const cmd = all('CMD').at(-1)?.args;
  if (!cmd?.startsWith('[')) problems.push('CMD must be in exec form (["node", ...]) so that SIGTERM reaches node');
  else {
    const entry = JSON.parse(cmd).find((a) => a.endsWith('.js'));
    const build = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')).compilerOptions ?? {};
    const source = entry && path.join(root, entry.replace(new RegExp(`^${build.outDir ?? 'dist'}/`), `${build.rootDir ?? 'src'}/`).replace(/\.js$/, '.ts'));
    if (!source || !existsSync(source)) problems.push(`CMD ${cmd}: the build makes no such file (no ${source ?? 'entry point'})`);
  }
  return problems;
}

/** Hardening and wiring rules of the systemd unit (beyond what systemd-analyze checks). */
export function lintUnit(text) {
  const problems = [];
  const values = (key) => [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1].trim());
  const one = (key) => values(key).at(-1);
  for (const [key, want] of [
    ['NoNewPrivileges', 'yes'],
    ['ProtectSystem', 'strict'],
    ['PrivateTmp', 'yes'],
    ['ProtectHome', 'yes'],
  ]) {
    if (one(key) !== want) problems.push(`${key}=${want} is missing`);
  }
  if (!one('ExecStart')) problems.push('no ExecStart');
  if (!one('EnvironmentFile')) problems.push('no EnvironmentFile');
  const user = one('User');
  if (!user || user === 'root') problems.push('User= must name an unprivileged user');
  const dataDir = /DATA_DIR=(\S+)/.exec(values('Environment').join(' '))?.[1];
  if (!dataDir) problems.push('Environment= sets no DATA_DIR');
  else if (!values('ReadWritePaths').join(' ').split(/\s+/).includes(dataDir)) problems.push(`ReadWritePaths does not include DATA_DIR ${dataDir}`);
  if (one('KillSignal') && one('KillSignal') !== 'SIGTERM') problems.push('KillSignal must be SIGTERM (graceful shutdown)');
  if (values('MemoryDenyWriteExecute').includes('yes')) problems.push("MemoryDenyWriteExecute=yes breaks V8's JIT");
  return problems;
}

/** Rules of the nginx example: WebSocket upgrades, forwarded addresses, timeouts, body size. */
export function lintNginx(text, uploadMaxBytes = 50 * 1024 * 1024) {
  const problems = [];
  const need = [
    [/proxy_http_version 1\.1;/, 'proxy_http_version 1.1 (WebSocket upgrades need it)'],
    [/proxy_set_header Upgrade \$http_upgrade;/, 'proxy_set_header Upgrade $http_upgrade'],
    [/proxy_set_header Connection \$connection_upgrade;/, 'proxy_set_header Connection $connection_upgrade'],
    [/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/, 'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for'],
    [/proxy_set_header X-Forwarded-Proto \$scheme;/, 'proxy_set_header X-Forwarded-Proto $scheme'],
  ];
  for (const [pattern, what] of need) if (!pattern.test(text)) problems.push(`missing ${what}`);
  const timeout = /proxy_read_timeout (\d+)s?;/.exec(text);
  if (!timeout || Number(timeout[1]) <= 30) problems.push('proxy_read_timeout must exceed the 30 s WebSocket ping');
  const size = /client_max_body_size (\d+)([kKmMgG]?);/.exec(text);
  const bytes = size ? Number(size[1]) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[size[2].toLowerCase()] : undefined;
  if (bytes !== uploadMaxBytes) problems.push(`client_max_body_size must match UPLOAD_MAX_BYTES (${uploadMaxBytes} bytes), got ${size?.[0] ?? 'none'}`);
  return problems;
}

function systemdVerify(unitPath) {
  const run = spawnSync('systemd-analyze', ['verify', unitPath], { encoding: 'utf8' });
  if (run.error) return { ran: false, problems: [] };
  const output = `${run.stdout}${run.stderr}`.trim();
  return { ran: true, problems: run.status === 0 && output === '' ? [] : [`systemd-analyze verify: ${output || `exit ${run.status}`}`] };
}

function main() {
  const read = (file) => readFileSync(path.join(ROOT, file), 'utf8');
  const report = [];
  report.push(['deploy/Dockerfile', lintDockerfile(read('deploy/Dockerfile'), { dockerignore: read('deploy/Dockerfile.dockerignore') })]);
  const verify = systemdVerify(path.join(ROOT, 'deploy/parley.service'));
  report.push([
    `deploy/parley.service${verify.ran ? ' (systemd-analyze verify + rules)' : ' (rules only: no systemd-analyze)'}`,
    [...verify.problems, ...lintUnit(read('deploy/parley.service'))],
  ]);
  report.push(['deploy/nginx.conf', lintNginx(read('deploy/nginx.conf'))]);
  let failed = false;
  for (const [file, problems] of report) {
    console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${file}`);
    for (const problem of problems) console.log(`     - ${problem}`);
    failed ||= problems.length > 0;
  }
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
