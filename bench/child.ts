// The benchmarks' other processes (the simulator, API clients, worker hubs): Node scripts that
// die with the bench, so a bench that fails leaves nothing running.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** Runs a script (relative to bench/) with this Node; stdin and stdout piped, stderr shared. */
export function spawnNode(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const proc = spawn(process.execPath, [resolve(import.meta.dirname, script), ...args], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const kill = () => proc.kill('SIGKILL');
  process.once('exit', kill);
  proc.once('exit', () => process.off('exit', kill));
  return proc;
}

/** Resolves once the process has printed `text`; its output after that is read and dropped. */
export function untilPrinted(proc: ChildProcess, text: string, name: string): Promise<void> {
  return new Promise<void>((done, fail) => {
    let seen = '';
    const ready = (chunk: Buffer) => {
      seen += chunk.toString();
      if (!seen.includes(text)) return;
      proc.stdout!.off('data', ready).resume();
      done();
    };
    proc.stdout!.on('data', ready);
    proc.once('exit', (code) => fail(new Error(`${name} exited with ${code}: ${seen}`)));
  });
}

/** Asks the process to stop and waits until it has. */
export const stopChild = (proc: ChildProcess) =>
  proc.exitCode !== null ? Promise.resolve() : new Promise<void>((done) => proc.once('exit', () => done()).kill('SIGTERM'));
