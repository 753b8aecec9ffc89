// RFC 9457 problem details for every error the API answers: `type`, `title`, `status`, `detail`,
// and `errors: [{ field, message }]` naming each offending field. A client's mistake is never a 500.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { databaseUnreachable } from '../db/unreachable.ts';
import { DomainError, type FieldError } from '../domain/errors.ts';

export const PROBLEM_TYPE_BASE = 'https://coursebridge.dev/problems/';
const DATABASE_RETRY_AFTER_SECONDS = 5;
const slug = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, '-');

export function sendProblem(
  reply: FastifyReply,
  status: number,
  title: string,
  detail: string,
  extensions: Record<string, unknown> = {},
) {
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: PROBLEM_TYPE_BASE + slug(title), title, status, detail, instance: reply.request.url, ...extensions });
}

function validationErrors(error: FastifyError & { validation: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }[] }): FieldError[] {
  const where = error.validationContext === 'body' ? '' : `${error.validationContext}.`;
  return error.validation.flatMap((v) => {
    const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
    if (v.keyword === 'unrecognized_keys' && Array.isArray(v.params.keys))
      return (v.params.keys as string[]).map((key) => ({
        field: where + (path ? `${path}.${key}` : key),
        message: 'Unknown field',
      }));
    return [{ field: where + (path || '(root)'), message: v.message ?? 'Invalid' }];
  });
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = validationErrors(error as never);
    return sendProblem(reply, 400, 'Invalid request', `Check ${errors.map((e) => e.field).join(', ')}.`, { errors });
  }
  if (error instanceof DomainError) return sendProblem(reply, error.status, error.title, error.message, error.extensions);
  // A unique constraint the store's own checks did not see coming (two writers at once): a
  // conflict for the client to retry, wherever it happens, not an internal error.
  if ((error as { code?: string }).code === '23505')
    return sendProblem(reply, 409, 'Conflict', 'Another request wrote the same record at the same time; read it again and retry.');
  if (error.statusCode === 429) return sendProblem(reply, 429, 'Too many requests', error.message);
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
    return sendProblem(reply, error.statusCode, 'Bad request', error.message);
  // The database out of reach (restarting, failing over): the request may succeed once it is back,
  // which the pool finds by itself; a client that retries after a while is right to.
  if (databaseUnreachable(error)) {
    request.log.warn({ err: error }, 'the database cannot be reached');
    reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
    return sendProblem(reply, 503, 'Service unavailable', 'The database cannot be reached just now; retry in a few seconds.');
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, 500, 'Internal error', 'Something went wrong on our side; it has been logged.');
}
