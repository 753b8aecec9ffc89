// Connector settings: validated by zod, secrets identifiable for redaction.
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { createConnector } from '../../src/sis/registry.ts';
import { connectorSettings, redactSettings, SECRET_SETTING_KEYS } from '../../src/sis/settings.ts';

describe('connector settings', () => {
  it('builds the connector of each kind', () => {
    expect(createConnector({ kind: 'ethos', baseUrl: 'https://integrate.elluciancloud.com', apiKey: 'k' }).kind).toBe('ethos');
    expect(createConnector({ kind: 'peoplesoft', baseUrl: 'https://ps.example.edu/PSIGW', username: 'u', password: 'p' }).kind).toBe('peoplesoft');
    expect(createConnector({ kind: 'csv', path: '/tmp/x.csv' }).kind).toBe('csv');
  });

  it('names what is wrong', () => {
    const attempt = () => createConnector({ kind: 'ethos', baseUrl: 'not a url', apiKey: '' } as never);
    expect(attempt).toThrow(ZodError);
    try {
      attempt();
    } catch (error) {
      expect((error as ZodError).issues.map((i) => i.path.join('.')).sort()).toEqual(['apiKey', 'baseUrl']);
    }
    expect(() => createConnector({ kind: 'banner' } as never)).toThrow(ZodError);
  });

  it('applies defaults and redacts secrets', () => {
    const settings = connectorSettings.parse({ kind: 'ethos', baseUrl: 'https://x.example', apiKey: 'very-secret' });
    expect(settings).toMatchObject({ timeZone: 'America/Chicago', tokenMinutes: 5, timeoutMs: 30_000 });
    expect(SECRET_SETTING_KEYS).toEqual(['apiKey', 'password']);
    expect(redactSettings(settings)).toMatchObject({ apiKey: '********', baseUrl: 'https://x.example' });
    expect(JSON.stringify(redactSettings(connectorSettings.parse({ kind: 'peoplesoft', baseUrl: 'https://x.example', username: 'u', password: 'pw' })))).not.toContain('pw');
  });
});
