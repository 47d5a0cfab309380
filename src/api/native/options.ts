/** What every native route module is given (a types file: the routes and index.ts both use it). */
import type { Core } from '../../core/index.js';

export interface NativeOptions {
  core: Core;
  /** The base of absolute URLs (files, previews), from PUBLIC_URL, without a trailing slash. */
  publicUrl: string;
  /** `PUBLIC_PROFILES`: `GET /users/<id>` without a token (true), or only with one. */
  publicProfiles: boolean;
}

/**
 * The second prefix of every native route: upstream ChatServer's current one, which its web
 * app calls (Public/app/js/api.js).
 */
export const API_PREFIX = '/api';
