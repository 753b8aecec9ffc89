// Shapes shared by several routes: paths, pages, problems.
import { z } from 'zod';

export const idParams = z.strictObject({ id: z.uuid() });
export const versionQuery = z.strictObject({ version: z.coerce.number().int().positive() });
export const limit = z.coerce.number().int().min(1).max(500).default(50);

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
