// The Ethos simulator in its own process, as the benchmarks use it: over HTTP on a free port, so
// its CPU is not the hub's and the hub's numbers are its own.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export const API_KEY = 'bench-key';

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** A synthetic institution of `sections` sections per term; every answer delayed by `latencyMs`. */
export async function startSimProcess(options: { sections: number; latencyMs?: number }) {
  const port = await freePort();
  const bin = resolve(import.meta.dirname, '../bin/coursebridge.js');
  const args = [bin, 'sis-sim', '--dialect', 'ethos', '--port', String(port), '--api-key', API_KEY, '--seed', `synthetic:${options.sections}`];
  if (options.latencyMs !== undefined) args.push('--latency-ms', String(options.latencyMs));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  // A bench that dies leaves no simulator behind.
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  await new Promise<void>((done, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && done());
    child.on('exit', (code) => fail(new Error(`simulator exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}
