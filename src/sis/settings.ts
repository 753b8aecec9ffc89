// Connector settings as stored by the hub. SECRET_SETTING_KEYS names what an API must redact.
import { z } from 'zod';
import { SECRET_MASK } from '../auth/secret-box.ts';
import { isTimeZone } from '../domain/zoned-time.ts';

const common = {
  /** How long one HTTP call may take before it counts as a timeout. */
  timeoutMs: z.number().int().positive().default(30_000),
  pageSize: z.number().int().positive().max(10_000).optional(),
};

export const ethosSettings = z.object({
  kind: z.literal('ethos'),
  baseUrl: z.url(),
  apiKey: z.string().min(1),
  /** IANA zone of the institution: Ethos meeting times carry UTC offsets. */
  timeZone: z.string().refine(isTimeZone, 'Use an IANA time zone name, e.g. America/Chicago').default('America/Chicago'),
  tokenMinutes: z.number().int().min(1).max(120).default(5),
  ...common,
});

export const peoplesoftSettings = z.object({
  kind: z.literal('peoplesoft'),
  baseUrl: z.url(),
  username: z.string().min(1),
  password: z.string().min(1),
  ...common,
});

export const csvSettings = z.object({
  kind: z.literal('csv'),
  /** A file, or a directory whose *.csv files are read in name order. */
  path: z.string().min(1),
  layout: z.enum(['uiuc', 'generic']).default('uiuc'),
});

export const connectorSettings = z.discriminatedUnion('kind', [ethosSettings, peoplesoftSettings, csvSettings]);

export type EthosSettings = z.infer<typeof ethosSettings>;
export type PeopleSoftSettings = z.infer<typeof peoplesoftSettings>;
export type CsvSettings = z.infer<typeof csvSettings>;
export type ConnectorSettings = z.infer<typeof connectorSettings>;
export type ConnectorSettingsInput = z.input<typeof connectorSettings>;

export const SECRET_SETTING_KEYS = ['apiKey', 'password'] as const;
/** The secret each kind of connection holds. */
export const SECRET_SETTING: Record<ConnectorSettings['kind'], (typeof SECRET_SETTING_KEYS)[number] | null> = { ethos: 'apiKey', peoplesoft: 'password', csv: null };

export function redactSettings(settings: ConnectorSettings): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, value]) => [key, (SECRET_SETTING_KEYS as readonly string[]).includes(key) ? SECRET_MASK : value]),
  );
}

const keptSecret = (what: string) =>
  z.string().optional().describe(`Left out or empty: the saved ${what} stays, when the saved connection has the same kind and baseUrl`);

/**
 * What an admin saves: the settings, a secret optional where one is saved (the API never returns
 * it, so a form cannot send it back). Whether one may be left out is the store's call (src/sync/connection.ts).
 */
export const connectionInput = z
  .discriminatedUnion('kind', [
    ethosSettings.extend({ apiKey: keptSecret('API key') }),
    peoplesoftSettings.extend({ password: keptSecret('password') }),
    csvSettings,
  ])
  .meta({ id: 'SisConnectionSettings' });
export type ConnectionInput = z.output<typeof connectionInput>;
