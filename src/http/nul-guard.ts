// The API refuses the NUL character (src/domain/nul.ts) before validation, wherever it arrives: the
// body, the query string or the path.
import type { FastifyInstance } from 'fastify';
import { NUL_MESSAGE, nulFields } from '../domain/nul.ts';
import { sendProblem } from './problem.ts';

export function registerNulGuard(app: FastifyInstance) {
  app.addHook('preValidation', async (request, reply) => {
    // Named as schema validation names them: body fields bare, the others by where they came from.
    const fields = [...nulFields(request.params, 'params'), ...nulFields(request.query, 'querystring'), ...nulFields(request.body)];
    if (fields.length)
      return sendProblem(reply, 400, 'Invalid request', `Check ${fields.join(', ')}.`, { errors: fields.map((field) => ({ field, message: NUL_MESSAGE })) });
  });
}
