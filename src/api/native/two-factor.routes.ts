/** The native two-factor routes (issue 22): set up, enable and remove TOTP sign-in for the caller. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { NativeOptions } from './options.js';
import { PASSWORD_MAX } from '../../core/account-rules.js';
import { Ok } from './users.schemas.js';

const session = { auth: 'session' } as const;
const tags = ['users'];

const Code = Type.String({ minLength: 1, maxLength: 64, description: 'A current TOTP code, or (where noted) one of the recovery codes' });

const SetupAnswer = Type.Object({
  secret: Type.String({ description: 'Base32 secret for an authenticator app' }),
  uri: Type.String({ description: 'otpauth://totp/… URI (for a QR code)' }),
});

export async function twoFactorRoutes(parent: FastifyInstance, { core }: NativeOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/users/me/2fa/setup',
    {
      config: session,
      schema: { tags, summary: 'Start two-factor sign-in: a new TOTP secret, in force once enabled with a code', response: { 200: SetupAnswer } },
    },
    async (request) => core.twoFactor.setup(request.auth.user),
  );

  app.post(
    '/users/me/2fa/enable',
    {
      config: session,
      schema: {
        tags,
        summary: 'Enable two-factor sign-in with a current code; answers ten single-use recovery codes, shown only now',
        body: Type.Object({ code: Code }),
        response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }) },
      },
    },
    async (request) => ({ recoveryCodes: await core.twoFactor.enable(request.auth.user, request.body.code, request.ip) }),
  );

  app.delete(
    '/users/me/2fa',
    {
      config: session,
      schema: {
        tags,
        summary: 'Turn two-factor sign-in off (password and a code or recovery code)',
        body: Type.Object({ password: Type.String({ maxLength: PASSWORD_MAX }), code: Code }),
        response: { 200: Ok },
      },
    },
    async (request) => {
      await core.accounts.disableTwoFactor(request.auth.user, request.body.password, request.body.code, request.ip);
      return {};
    },
  );
}
