// Configuration from the environment: one clear error at start for a bad value, and a variable set
// to nothing is unset (its default), never a coerced 0.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('configuration', () => {
  it('reads a variable set to nothing as unset', () => {
    const config = loadConfig({ PORT: '', COURSEBRIDGE_PUSH_SWEEP_MS: '', DATABASE_URL: '', COURSEBRIDGE_SMTP_URL: '' });
    expect(config.port).toBe(3000);
    expect(config.push.sweepMs).toBe(15_000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.smtp).toBeNull();
  });

  it('refuses a SIS time zone that is not an IANA name, naming the variable', () => {
    expect(() => loadConfig({ COURSEBRIDGE_SIS_KIND: 'ethos', COURSEBRIDGE_SIS_URL: 'https://ethos.example.edu', COURSEBRIDGE_SIS_API_KEY: 'k', COURSEBRIDGE_SIS_TIME_ZONE: 'Central' })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ COURSEBRIDGE_SIS_TIME_ZONE: 'Central' })).toThrow(/COURSEBRIDGE_SIS_TIME_ZONE: COURSEBRIDGE_SIS_TIME_ZONE must be an IANA time zone name/);
    expect(loadConfig({ COURSEBRIDGE_SIS_KIND: 'ethos', COURSEBRIDGE_SIS_TIME_ZONE: 'America/New_York' }).sis).toMatchObject({ timeZone: 'America/New_York' });
  });

  it("reads the institution's webhook networks, refusing what is not an address or CIDR network", () => {
    expect(loadConfig({}).webhooks).toEqual({ allowLoopback: false, networks: [] });
    expect(loadConfig({ COURSEBRIDGE_WEBHOOK_NETWORKS: '10.20.0.0/16, fd00:20::/32,10.1.2.3' }).webhooks.networks).toEqual(['10.20.0.0/16', 'fd00:20::/32', '10.1.2.3']);
    for (const bad of ['10.20.0.0/33', 'campus', '10.20.0.0/16/2', 'fd00::/129'])
      expect(() => loadConfig({ COURSEBRIDGE_WEBHOOK_NETWORKS: bad }), bad).toThrow(/COURSEBRIDGE_WEBHOOK_NETWORKS must be a comma-separated list/);
  });

  it('still refuses a value that is wrong rather than empty', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('trusts no proxy by default, and takes true or a list of proxy addresses for COURSEBRIDGE_TRUST_PROXY', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ COURSEBRIDGE_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ COURSEBRIDGE_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ COURSEBRIDGE_TRUST_PROXY: '10.0.0.5, 192.168.0.0/16,::1,10.1.0.0/255.255.0.0,loopback' }).trustProxy).toEqual([
      '10.0.0.5',
      '192.168.0.0/16',
      '::1',
      '10.1.0.0/255.255.0.0',
      'loopback',
    ]);
  });

  it('refuses a hop count or a value that is no address, naming the variable', () => {
    for (const value of ['1', 'proxy.example.edu', '10.0.0.0/33', '10.0.0.1,']) {
      expect(() => loadConfig({ COURSEBRIDGE_TRUST_PROXY: value })).toThrow(/COURSEBRIDGE_TRUST_PROXY: COURSEBRIDGE_TRUST_PROXY must be true, false, or a comma-separated list/);
    }
  });

  it('ends sessions after 60 idle minutes unless COURSEBRIDGE_SESSION_IDLE_MINUTES says otherwise, refusing what is not 1 to 720 whole minutes', () => {
    expect(loadConfig({}).sessionIdleMinutes).toBe(60);
    expect(loadConfig({ COURSEBRIDGE_SESSION_IDLE_MINUTES: '' }).sessionIdleMinutes).toBe(60);
    expect(loadConfig({ COURSEBRIDGE_SESSION_IDLE_MINUTES: '15' }).sessionIdleMinutes).toBe(15);
    expect(loadConfig({ COURSEBRIDGE_SESSION_IDLE_MINUTES: '720' }).sessionIdleMinutes).toBe(720);
    for (const bad of ['0', '-5', '1.5', 'thirty', '721'])
      expect(() => loadConfig({ COURSEBRIDGE_SESSION_IDLE_MINUTES: bad }), bad).toThrow(
        /COURSEBRIDGE_SESSION_IDLE_MINUTES: COURSEBRIDGE_SESSION_IDLE_MINUTES must be a whole number of minutes from 1 to 720/,
      );
  });

  it('takes COURSEBRIDGE_SECRETS_KEY as 32 bytes in base64 or hex, refusing anything else without printing it', () => {
    expect(loadConfig({}).secretsKey).toBeNull();
    expect(loadConfig({ COURSEBRIDGE_SECRETS_KEY: 'ab'.repeat(32) }).secretsKey).toEqual(Buffer.alloc(32, 0xab));
    expect(loadConfig({ COURSEBRIDGE_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') }).secretsKey).toEqual(Buffer.alloc(32, 7));
    const tooShort = Buffer.alloc(16, 7).toString('base64');
    for (const bad of [tooShort, 'ab'.repeat(31), 'correct horse battery staple', Buffer.alloc(33, 7).toString('base64')]) {
      const refused = (() => {
        try {
          loadConfig({ COURSEBRIDGE_SECRETS_KEY: bad });
        } catch (error) {
          return (error as Error).message;
        }
      })();
      expect(refused, bad).toMatch(/COURSEBRIDGE_SECRETS_KEY: COURSEBRIDGE_SECRETS_KEY must be 32 random bytes in base64 or hex/);
      expect(refused).not.toContain(bad);
    }
  });
});
