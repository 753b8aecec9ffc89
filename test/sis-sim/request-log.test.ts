// The simulator's access log keeps the most recent requests, oldest first.
import { describe, expect, it } from 'vitest';
import { REQUEST_LOG_LIMIT, RequestLog } from '../../sis-sim/request-log.ts';

describe('request log', () => {
  it('keeps the last requests in the order they came, paths without their query', () => {
    const log = new RequestLog();
    log.record('GET', '/api/sections?offset=0');
    log.record('PUT', '/api/sections/a');
    expect(log.list()).toEqual([
      { method: 'GET', path: '/api/sections' },
      { method: 'PUT', path: '/api/sections/a' },
    ]);
    for (let i = 0; i < REQUEST_LOG_LIMIT + 3; i++) log.record('GET', `/api/r/${i}`);
    const kept = log.list();
    expect(kept).toHaveLength(REQUEST_LOG_LIMIT);
    expect(kept[0].path).toBe('/api/r/3');
    expect(kept.at(-1)!.path).toBe(`/api/r/${REQUEST_LOG_LIMIT + 2}`);
    log.clear();
    log.record('DELETE', '/api/x');
    expect(log.list()).toEqual([{ method: 'DELETE', path: '/api/x' }]);
  });
});
