/**
 * The files in deploy/ without a Docker engine: scripts/check-deploy.mjs lints the Dockerfile
 * (against this checkout), the systemd unit (also through systemd-analyze when installed)
 * and the nginx example. Each rule is shown to catch the mistake it is for.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ignored, lintDockerfile, lintNginx, lintUnit } from '../scripts/check-deploy.mjs';

const dockerfile = readFileSync('deploy/Dockerfile', 'utf8');
const dockerignore = readFileSync('deploy/Dockerfile.dockerignore', 'utf8');
const unit = readFileSync('deploy/parley.service', 'utf8');
const nginx = readFileSync('deploy/nginx.conf', 'utf8');

describe('deploy files', () => {
  it('pass scripts/check-deploy.mjs', () => {
    const run = spawnSync(process.execPath, ['scripts/check-deploy.mjs'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /ok {3}deploy\/Dockerfile/);
  });

  it('Dockerfile: the lint catches a root user, missing or ignored sources, unknown stages and a shell-form CMD', () => {
    assert.deepEqual(lintDockerfile(dockerfile, { dockerignore }), []);
    const lint = (from: string, to: string, ignore = dockerignore) => {
      assert.ok(dockerfile.includes(from), `the Dockerfile no longer has ${from}`);
      return lintDockerfile(dockerfile.replace(from, to), { dockerignore: ignore }).join('\n');
    };
    assert.match(lint('USER node', 'USER root'), /non-root USER/);
    assert.match(lint('COPY src ./src', 'COPY source ./src'), /COPY source: no such file/);
    assert.match(lint('COPY src ./src', 'COPY src ./src', `${dockerignore}\nsrc\n`), /COPY src: excluded by the \.dockerignore/);
    assert.match(lint('--from=build --chown=root:root /app/dist', '--from=builder --chown=root:root /app/dist'), /no stage of that name/);
    assert.match(lint('CMD ["node", "dist/server.js"]', 'CMD node dist/server.js'), /exec form/);
    assert.match(lint('CMD ["node", "dist/server.js"]', 'CMD ["node", "dist/main.js"]'), /the build makes no such file/);
    assert.match(lint(' python3 make g++', ' make g++'), /does not install python3/);
    assert.match(lint('VOLUME ["/data"]', 'VOLUME ["/srv"]'), /DATA_DIR \/data is not a VOLUME/);
    assert.match(lint("'/healthz'", "'/'"), /no HEALTHCHECK on \/healthz/);
    assert.match(lint('FROM node:20-bookworm-slim AS runtime', 'FROM node:latest AS runtime'), /pin a tag/);
  });

  it('.dockerignore patterns: directories, globs and re-includes', () => {
    assert.equal(ignored('node_modules/x/y.js', ['node_modules']), true);
    assert.equal(ignored('src/app.ts', ['node_modules', 'dist']), false);
    assert.equal(ignored('deploy/parley.service', ['deploy/*.service']), true);
    assert.equal(ignored('.env.local', ['.env.*']), true);
    assert.equal(ignored('keep.log', ['*.log', '!keep.log']), false);
  });

  it('systemd unit: hardened, data dir writable, no MemoryDenyWriteExecute', () => {
    assert.deepEqual(lintUnit(unit), []);
    assert.match(lintUnit(unit.replace('NoNewPrivileges=yes', 'NoNewPrivileges=no')).join(), /NoNewPrivileges=yes is missing/);
    assert.match(lintUnit(unit.replace('ReadWritePaths=/var/lib/parley', 'ReadWritePaths=/tmp')).join(), /ReadWritePaths does not include DATA_DIR/);
    assert.match(lintUnit(unit.replace('User=parley', 'User=root')).join(), /unprivileged user/);
    assert.match(lintUnit(`${unit}\nMemoryDenyWriteExecute=yes\n`).join(), /JIT/);
  });

  it('nginx example: upgrades, forwarded headers, a read timeout past the ping, the upload limit', () => {
    assert.deepEqual(lintNginx(nginx), []);
    assert.match(lintNginx(nginx.replace('proxy_read_timeout 75s;', 'proxy_read_timeout 30s;')).join(), /exceed the 30 s/);
    assert.match(lintNginx(nginx.replace('client_max_body_size 50m;', 'client_max_body_size 1m;')).join(), /UPLOAD_MAX_BYTES/);
    assert.match(lintNginx(nginx.replace('proxy_set_header Upgrade $http_upgrade;', '')).join(), /Upgrade/);
    assert.deepEqual(lintNginx(nginx.replace('client_max_body_size 50m;', 'client_max_body_size 100m;'), 100 * 1024 ** 2), []);
  });
});
