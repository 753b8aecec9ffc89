// The Ethos simulator in its own process, as the benchmarks use it: over HTTP on a free port, so
// its CPU is not the hub's and the hub's numbers are its own.
import { createServer } from 'node:net';
import { spawnNode, untilPrinted } from './child.ts';

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
  const args = ['sis-sim', '--dialect', 'ethos', '--port', String(port), '--api-key', API_KEY, '--seed', `synthetic:${options.sections}`];
  if (options.latencyMs !== undefined) args.push('--latency-ms', String(options.latencyMs));
  const child = spawnNode('../bin/coursebridge.js', args);
  child.stdin!.end();
  await untilPrinted(child, 'listening', 'the simulator');
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}
