#!/usr/bin/env node
/**
 * Prints a V-app (Vonage Conversation-API) user token for an existing account:
 * `npm run vonage-token -- <name>` (or `node dist/cli/vonage-token.js <name>` after a build).
 * Reads the same configuration as the server (environment and `.env`), opens its store,
 * and signs with the same key: `VONAGE_PRIVATE_KEY`, else the key the server keeps.
 * Exit status: 0 with the token on stdout, 1 for an unknown account or bad configuration,
 * 2 for a wrong invocation.
 */
import { openStore } from '../app.js';
import { loadConfigOrExit } from '../config.js';
import { foldUsername } from '../core/account-rules.js';
import { vappIdOf } from '../core/vapp.service.js';
import { createVonageTokens } from '../core/vonage-tokens.service.js';
import { systemClock } from '../ports/clock.js';

const args = process.argv.slice(2);
if (args.length !== 1 || args[0] === '--help' || args[0] === '-h') {
  console.error('usage: npm run vonage-token -- <name>');
  process.exit(2);
}
const name = args[0]!;

const config = loadConfigOrExit();

const { store } = await openStore(config);
try {
  const user = await store.users.findByUsername(foldUsername(name));
  if (!user) {
    console.error(`No account is named "${name}".`);
    process.exitCode = 1;
  } else {
    if (config.vonageApplicationId && user.vonageUserId === null) {
      console.error(`warning: "${user.username}" is not provisioned in Vonage yet (a V-app log-in does that); the token carries ${vappIdOf(user)}.`);
    }
    const tokens = createVonageTokens({
      store,
      clock: systemClock,
      applicationId: config.vonageApplicationId,
      privateKeyPem: config.vonagePrivateKey,
    });
    process.stdout.write(`${await tokens.issueUserToken({ name: user.username, userId: vappIdOf(user) })}\n`);
  }
} finally {
  await store.close();
}
