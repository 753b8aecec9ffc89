// Faults a real SIS or its network shows, switchable at run time. Decisions come from a seeded
// PRNG in request order, so a test that sets a seed sees the same faults every run.
import { z } from 'zod';
import { prng } from './ids.ts';

export const faultRule = z.object({
  kind: z.enum(['server_error', 'rate_limit', 'timeout', 'reset', 'lost_response', 'maintenance', 'malformed_record']),
  /** Probability per matching request. */
  rate: z.number().min(0).max(1).default(1),
  /** How many more times the rule fires; absent = no limit. */
  remaining: z.number().int().positive().optional(),
  methods: z.array(z.enum(['GET', 'POST', 'PUT', 'DELETE'])).optional(),
  /** Only requests whose path starts with this, e.g. '/api/sections'. */
  pathPrefix: z.string().optional(),
  retryAfterSeconds: z.number().int().nonnegative().default(1),
  /** malformed_record: the field (a dot path, e.g. `instructionalMethods.0.id`) of the answer's first record to set… */
  field: z.string().min(1).optional(),
  /** …to this value (any JSON); a record the SIS's own rules would never have let through. */
  value: z.unknown().optional(),
});

export const faultConfig = z.object({
  seed: z.number().int().default(1),
  latencyMs: z.number().int().nonnegative().default(0),
  rules: z.array(faultRule).default([]),
});

export type FaultRule = z.infer<typeof faultRule>;
export type FaultConfig = z.infer<typeof faultConfig>;

const WRITES = new Set(['POST', 'PUT', 'DELETE']);

export class Faults {
  private config: FaultConfig = faultConfig.parse({});
  private random = prng(1);

  configure(config: FaultConfig): void {
    this.config = structuredClone(config);
    this.random = prng(config.seed);
  }

  current(): FaultConfig {
    return structuredClone(this.config);
  }

  latencyMs(): number {
    return this.config.latencyMs;
  }

  /** The fault for this request, if any; a lost response only makes sense on a write. */
  pick(method: string, path: string): FaultRule | null {
    for (const rule of this.config.rules) {
      if (rule.methods && !rule.methods.includes(method as never)) continue;
      if (rule.pathPrefix && !path.startsWith(rule.pathPrefix)) continue;
      if (rule.kind === 'lost_response' && !WRITES.has(method)) continue;
      if (rule.kind === 'malformed_record' && method !== 'GET') continue;
      if (rule.rate < 1 && this.random() >= rule.rate) continue;
      if (rule.remaining !== undefined) {
        rule.remaining -= 1;
        if (rule.remaining === 0) this.config.rules = this.config.rules.filter((r) => r !== rule);
      }
      return rule;
    }
    return null;
  }
}

/**
 * A malformed_record rule applied to a JSON answer: its first record (the answer itself, or the
 * first element of an array answer) gets `field` set to `value`.
 */
export function malform(payload: string, rule: FaultRule): string {
  const body = JSON.parse(payload) as unknown;
  let target = (Array.isArray(body) ? body[0] : body) as Record<string, unknown> | undefined;
  if (!target || !rule.field) return payload;
  const path = rule.field.split('.');
  for (const step of path.slice(0, -1)) target = (target[step] ??= {}) as Record<string, unknown>;
  target[path[path.length - 1]] = rule.value;
  return JSON.stringify(body);
}
