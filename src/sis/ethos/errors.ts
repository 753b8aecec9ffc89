// Ethos answers errors v2 (`{ errors: [{ code, description, message, id, sourceId }] }`) or,
// from older routes and the /auth endpoint, `{ message }`. Both become one SisError.
import { codeForStatus, parseRetryAfter, SisError } from '../errors.ts';
import { readJson } from '../http.ts';

interface EthosErrorBody {
  errors?: { code?: string; description?: string; message?: string }[];
  message?: string;
}

export async function ethosError(response: Response, what: string, now: number): Promise<SisError> {
  const body = (await readJson(response)) as EthosErrorBody | string | undefined;
  let message: string;
  if (typeof body === 'object' && body?.errors?.length) {
    message = body.errors.map((e) => e.message ?? e.description ?? e.code ?? '').join('; ');
  } else if (typeof body === 'object' && body?.message) {
    message = body.message;
  } else {
    message = `HTTP ${response.status}`;
  }
  return new SisError({
    code: codeForStatus(response.status),
    message: `${what}: ${message}`,
    status: response.status,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), now),
    raw: body,
  });
}
