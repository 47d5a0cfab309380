/** The API-key scope each route needs (src/edge/route-auth.ts `routeScopeOf`), under both prefixes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeScopeOf } from '../src/edge/route-auth.js';

describe('routeScopeOf', () => {
  it('derives <area>:read for GET and <area>:write otherwise, from the path', () => {
    const cases: Array<[string, string, string]> = [
      ['GET', '/chats', 'chats:read'],
      ['POST', '/chats', 'chats:write'],
      ['PUT', '/chats/:id/settings', 'chats:write'],
      ['GET', '/chats/:id/messages', 'messages:read'],
      ['POST', '/chats/:id/messages', 'messages:write'],
      ['POST', '/chats/:id/messages/:messageId/read', 'messages:write'],
      ['GET', '/api/chats/:id/messages', 'messages:read'],
      ['GET', '/users/me/contacts', 'contacts:read'],
      ['POST', '/users/me/photos', 'files:write'],
      ['POST', '/uploads', 'files:write'],
      ['GET', '/search/messages', 'search:read'],
      ['GET', '/users/:id', 'users:read'],
      ['GET', '/users/me', 'users:read'],
      ['PUT', '/users/me', 'account'],
      ['POST', '/users/me/2fa/setup', 'account'],
      ['DELETE', '/users/me', 'account'],
      ['GET', '/ws', 'events:read'],
      ['GET', '/api/ws/:sessionId', 'events:read'],
    ];
    for (const [method, url, scope] of cases) assert.equal(routeScopeOf(method, url), scope, `${method} ${url}`);
  });

  it('prefers the scope a route declares', () => {
    assert.equal(routeScopeOf('POST', '/chats/:id/notify', { scope: 'messages:write' }), 'messages:write');
  });
});
