/** Types of `check-deploy.mjs`, for its tests. Each lint returns one line per problem; none when the file passes. */
export function lintDockerfile(text: string, options?: { root?: string; dockerignore?: string }): string[];
export function lintUnit(text: string): string[];
export function lintNginx(text: string, uploadMaxBytes?: number): string[];
export function ignored(file: string, patterns: string[]): boolean;
