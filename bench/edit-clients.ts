// The push benchmark's API clients, in their own process as a registrar's browsers would be: so
// the hub's numbers are the hub's. Signs in, then CLIENTS clients at once each read a section and
// save its capacity + 1, until every id (JSON on stdin) is edited once. Prints the PATCH times (ms)
// as JSON on stdout.
import { performance } from 'node:perf_hooks';
import { text } from 'node:stream/consumers';
import { Api } from './api.ts';

const [url, email, password, clients] = process.argv.slice(2);
const targets = JSON.parse(await text(process.stdin)) as string[];
const api = await Api.signIn(url, email, password);
const saveMs: number[] = [];
let next = 0;
await Promise.all(
  Array.from({ length: Number(clients) }, async () => {
    while (next < targets.length) {
      const id = targets[next++];
      const s = await api.call('GET', `/api/v1/sections/${id}`);
      const before = performance.now();
      await api.call('PATCH', `/api/v1/sections/${id}`, { version: s.version, capacity: s.capacity + 1 });
      saveMs.push(performance.now() - before);
    }
  }),
);
process.stdout.write(JSON.stringify(saveMs));
