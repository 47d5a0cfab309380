/** Cold start: from spawning the server process to its first 200 on /healthz, on a fresh DATA_DIR. */
import { startParley } from '../lib/server.js';

export async function coldStarts(times: number, env: Record<string, string> = {}): Promise<number[]> {
  const results: number[] = [];
  for (let i = 0; i < times; i++) {
    const server = await startParley(env);
    results.push(server.startupMs);
    await server.stop();
  }
  return results;
}
