/** What the V-app routes are given (a types file: the routes and index.ts both use it). */
import type { Core } from '../../core/index.js';

export interface VappOptions {
  core: Core;
  uploadMaxBytes: number;
  /** PUBLIC_URL plus the V-app prefix: the base of the default avatars' URLs. */
  publicBase: string;
}
