/** Starts a baseline server script from bench/baselines in its own process. */
import { spawn } from 'node:child_process';
import { freePort } from './server.js';

export async function startBaseline(script: string, args: string[] = []): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [`bench/baselines/${script}`, String(port), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return {
    port,
    pid: child.pid!,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
