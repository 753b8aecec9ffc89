// `coursebridge sis-sim`: runs the SIS simulator as a standalone demo or test peer.
import { Command, InvalidArgumentError, Option } from 'commander';
import { startSisSim } from '../../../sis-sim/server.ts';
import type { FaultRule } from '../../../sis-sim/faults.ts';

const rate = (value: string): number => {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a rate between 0 and 1');
  return n;
};
const count = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
};

export function sisSimCommand(): Command {
  return new Command('sis-sim')
    .description('run the SIS simulator (Ethos or PeopleSoft) over HTTP')
    .addOption(new Option('--dialect <dialect>', 'API the simulator speaks').choices(['ethos', 'peoplesoft']).makeOptionMandatory())
    .option('--port <n>', 'port to listen on (0 = any free port)', count, 4010)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .requiredOption('--api-key <key>', 'API key (Ethos) or password (PeopleSoft Basic auth) clients must present')
    .option('--seed <spec>', 'csv:PATH (a UIUC Course Explorer file) or synthetic:N (N sections per term)', 'synthetic:500')
    .option('--data-dir <dir>', 'keep state in this directory across restarts')
    .option('--class-nbr-delay-ms <ms>', 'PeopleSoft: how long a new CLASS_NBR stays hidden', count, 0)
    .option('--latency-ms <ms>', 'added latency per request', count, 0)
    .option('--error-rate <r>', 'share of requests answered 500', rate, 0)
    .option('--rate-limit-rate <r>', 'share of requests answered 429 with Retry-After', rate, 0)
    .option('--timeout-rate <r>', 'share of requests never answered', rate, 0)
    .option('--reset-rate <r>', 'share of requests whose connection is reset', rate, 0)
    .option('--lost-response-rate <r>', 'share of writes committed but never answered', rate, 0)
    .option('--maintenance', 'answer every request 503 (maintenance window)', false)
    .option('--fault-seed <n>', 'seed of the fault PRNG', count, 1)
    .action(async (o) => {
      const rules: FaultRule[] = [];
      if (o.maintenance) rules.push({ kind: 'maintenance', rate: 1, retryAfterSeconds: 60 });
      const rated: [FaultRule['kind'], number][] = [
        ['server_error', o.errorRate],
        ['rate_limit', o.rateLimitRate],
        ['timeout', o.timeoutRate],
        ['reset', o.resetRate],
        ['lost_response', o.lostResponseRate],
      ];
      for (const [kind, r] of rated) if (r > 0) rules.push({ kind, rate: r, retryAfterSeconds: 1 });
      const sim = await startSisSim({
        dialect: o.dialect,
        port: o.port,
        host: o.host,
        apiKey: o.apiKey,
        seed: o.seed,
        dataDir: o.dataDir,
        crnDelayMs: o.classNbrDelayMs,
        faults: { seed: o.faultSeed, latencyMs: o.latencyMs, rules },
      });
      const base = o.dialect === 'peoplesoft' ? `${sim.url}/PSIGW/RESTListeningConnector/PSFT_CS` : sim.url;
      process.stdout.write(`SIS simulator (${o.dialect}) listening on ${base}\nadmin API: ${sim.url}/__admin/stats\n`);
      const stop = async () => {
        await sim.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
