// Shapes shared by several routes: paths, pages, problems.
import { z } from 'zod';
import { version, wholeNumber } from '../domain/field-schemas.ts';

export const idParams = z.strictObject({ id: z.uuid() });

/**
 * A number in the query string, where every value arrives as text. Digits become the number;
 * anything else (nothing, `abc`, `1.5`, `-1`) reaches `schema` as it came, so its own message says
 * what is wrong ("Send the version you read", "limit must be a whole number") instead of
 * z.coerce's "expected number, received NaN" for all of them.
 */
const fromQuery = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value), schema);

/** The version a client read, on a delete: `?version=3`. */
export const versionQuery = z.strictObject({ version: fromQuery(version) });

/** A whole number from 0 in the query string. */
export const queryWholeNumber = (label: string) => fromQuery(wholeNumber(label));

/** A page's `limit`: 1 to `max` items, `fallback` when not sent (inside the preprocess: outside it, the document loses the default). */
export const pageLimit = (max: number, fallback: number) => fromQuery(wholeNumber('limit', max).min(1, 'limit is at least 1').default(fallback));
export const limit = pageLimit(500, 50);

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .loose()
  .meta({ id: 'Problem' });

/**
 * An error answer as the server sends it: `application/problem+json` (sendProblem). Declared per
 * content type, so the OpenAPI document says so instead of @fastify/swagger's default
 * `application/json`, and Fastify checks a reply of that type against `problem`.
 */
export const problemResponse = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: problem } },
};

/** The error answers every route can give, documented once. */
export const problems = {
  400: problemResponse,
  401: problemResponse,
  403: problemResponse,
  404: problemResponse,
  409: problemResponse,
  422: problemResponse,
} as const;
