// The one place connectors touch the network: turns transport failures into SisErrors so
// every connector classifies them the same way.
import { SisError } from './errors.ts';

export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
}

export async function httpCall(call: HttpCall): Promise<Response> {
  const headers = { ...call.headers };
  let body: string | undefined;
  if (call.body !== undefined) {
    body = JSON.stringify(call.body);
    headers['content-type'] ??= 'application/json';
  }
  try {
    return await fetch(call.url, {
      method: call.method,
      headers,
      body,
      signal: AbortSignal.timeout(call.timeoutMs),
    });
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new SisError({
        code: 'timeout',
        message: `${call.method} ${call.url} gave no answer within ${call.timeoutMs} ms`,
        raw: error,
      });
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new SisError({
      code: 'network',
      message: `${call.method} ${call.url} failed: ${cause?.code ?? cause?.message ?? String(error)}`,
      raw: error,
    });
  }
}

/** Reads a body that may be empty or not JSON (a proxy's HTML error page) without throwing. */
export async function readJson(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
