// The push benchmark's API clients, in their own process as a registrar's browsers would be: so
// the hub's numbers are the hub's. Signs in, then CLIENTS clients at once each read a section and
// save its capacity + 1, until every id (JSON on stdin) is edited once: as fast as the hub takes
// them, or at RATE saves per second when one is given (0 = no limit). Prints the PATCH times (ms)
// as JSON on stdout.
import { performance } from 'node:perf_hooks';
import { text } from 'node:stream/consumers';
import { Api } from './api.ts';

const [url, email, password, clients, rate] = process.argv.slice(2);
const targets = JSON.parse(await text(process.stdin)) as string[];
const api = await Api.signIn(url, email, password);
const saveMs: number[] = [];
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: Number(clients) }, async () => {
    while (next < targets.length) {
      const turn = next++;
      const id = targets[turn];
      // At a set rate, the n-th save starts no earlier than n / rate seconds in.
      const due = Number(rate) > 0 ? started + (turn * 1000) / Number(rate) : 0;
      if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
      const s = await api.call('GET', `/api/v1/sections/${id}`);
      const before = performance.now();
      await api.call('PATCH', `/api/v1/sections/${id}`, { version: s.version, capacity: s.capacity + 1 });
      saveMs.push(performance.now() - before);
    }
  }),
);
process.stdout.write(JSON.stringify(saveMs));
