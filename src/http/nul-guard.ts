// The API refuses the NUL character (src/domain/nul.ts) before validation, wherever it arrives: the
// body, the query string or the path. Walking a body needs its depth bounded: a JSON body nested
// deeper than MAX_DEPTH is refused before it is parsed (10 MB of nested arrays cost JSON.parse ~2 s
// of CPU, and their walk overflowed the stack), and anyone may send one, signed in or not.
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../domain/errors.ts';
import { NUL_MESSAGE, nulFields } from '../domain/nul.ts';
import { sendProblem } from './problem.ts';

/** Arrays and objects inside each other; the API's own bodies nest five deep at most. */
export const MAX_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]); // [ {
const CLOSERS = new Set([0x5d, 0x7d]); // ] }

/** Whether JSON text nests deeper than `max`, read as text: brackets inside strings do not count. */
function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (OPENERS.has(c)) {
      if (++depth > max) return true;
    } else if (CLOSERS.has(c)) depth--;
  }
  return false;
}

export function registerNulGuard(app: FastifyInstance) {
  // Fastify's own JSON parser (with its prototype-poisoning checks), behind the depth check.
  const parseJson = app.getDefaultJsonParser(app.initialConfig.onProtoPoisoning ?? 'error', app.initialConfig.onConstructorPoisoning ?? 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string; // parseAs: 'string'
    if (!nestedDeeperThan(text, MAX_DEPTH)) return parseJson(request, text, done);
    const message = `Arrays and objects must not nest more than ${MAX_DEPTH} deep`;
    done(new DomainError(400, 'Invalid request', 'Check (root).', { errors: [{ field: '(root)', message }] }), undefined);
  });
  app.addHook('preValidation', async (request, reply) => {
    // Named as schema validation names them: body fields bare, the others by where they came from.
    const fields = [...nulFields(request.params, 'params'), ...nulFields(request.query, 'querystring'), ...nulFields(request.body)];
    if (fields.length)
      return sendProblem(reply, 400, 'Invalid request', `Check ${fields.join(', ')}.`, { errors: fields.map((field) => ({ field, message: NUL_MESSAGE })) });
  });
}
