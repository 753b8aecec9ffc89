// Closing the hub while someone follows a merge's progress: the open stream ends and close()
// resolves (a stream the client keeps open held it until the run finished, which a queued run
// never does). vitest's timeout is the bound; nothing here waits on a clock.
import { describe, expect, it } from 'vitest';
import { startHub } from '../helpers/hub.ts';

describe('closing the hub', () => {
  it('ends an open merge progress stream and closes', async () => {
    // No workers: the run stays queued, so its stream would never end by itself.
    const hub = await startHub({ sis: 'none', runtime: { workers: false } });
    const started = await hub.admin.post('/api/v1/admin/merges', { types: ['terms'] });
    expect(started.status).toBe(202);
    const res = await fetch(`${hub.url}/api/v1/admin/merges/${started.body.id}/events`, { headers: { cookie: hub.admin.cookie! } });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    // Written raw, past the hook that adds them to every other answer: the stream has them too.
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('\n\n')) text += (await reader.read()).value;
    expect(text).toMatch(/^event: progress\ndata: .*"status":"queued"/);

    const closed = hub.close();
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += chunk.value;
    }
    await closed;
    expect(text).not.toContain('event: done');
  }, 20_000);
});
