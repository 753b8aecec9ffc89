// Ethos Integration transport: API key → short-lived bearer token (refreshed once on 401),
// vendor media types per resource, offset/limit paging that follows x-max-page-size.
import { SisError } from '../errors.ts';
import { httpCall, readJson } from '../http.ts';
import { readWithRetry } from '../read-retry.ts';
import { ethosError } from './errors.ts';

export interface EthosClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  tokenMinutes: number;
  pageSize: number;
}

/** Major versions this connector's mappers are written for (Colleague's, sis-apis §1.2). */
export const ETHOS_VERSIONS: Record<string, number> = {
  'academic-periods': 16,
  courses: 16,
  sections: 16,
  'instructional-events': 11,
  'section-instructors': 10,
  'section-crosslists': 6,
  rooms: 10,
  buildings: 11,
  instructors: 9,
  persons: 12,
  subjects: 6,
  'instructional-methods': 6,
  'instructional-delivery-methods': 11,
  sites: 6,
  'section-title-types': 6,
  'educational-institution-units': 12,
};

export class EthosClient {
  private readonly options: EthosClientOptions;
  private token: string | null = null;

  constructor(options: EthosClientOptions) {
    this.options = options;
  }

  private url(path: string): string {
    return `${this.options.baseUrl.replace(/\/$/, '')}${path}`;
  }

  private async authenticate(): Promise<string> {
    const response = await httpCall({
      method: 'POST',
      url: this.url(`/auth?expirationMinutes=${this.options.tokenMinutes}`),
      headers: { authorization: `Bearer ${this.options.apiKey}` },
      timeoutMs: this.options.timeoutMs,
    });
    if (!response.ok) throw await ethosError(response, 'Ethos authentication failed', Date.now());
    this.token = (await response.text()).trim();
    return this.token;
  }

  /** One call to /api/<resource>[/<id>]; returns the response when it is 2xx. */
  async call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    resource: string,
    options: { id?: string; query?: Record<string, string>; body?: unknown } = {},
  ): Promise<Response> {
    const version = ETHOS_VERSIONS[resource];
    const media = version ? `application/vnd.hedtech.integration.v${version}+json` : 'application/json';
    const query = options.query ? `?${new URLSearchParams(options.query)}` : '';
    const url = this.url(`/api/${resource}${options.id ? `/${encodeURIComponent(options.id)}` : ''}${query}`);
    const send = async (token: string) =>
      httpCall({
        method,
        url,
        headers: { authorization: `Bearer ${token}`, accept: media, ...(options.body === undefined ? {} : { 'content-type': media }) },
        body: options.body,
        timeoutMs: this.options.timeoutMs,
      });
    let response = await send(this.token ?? (await this.authenticate()));
    if (response.status === 401) {
      await response.body?.cancel();
      // Tokens last minutes; an expired one is refreshed once, transparently.
      response = await send(await this.authenticate());
    }
    if (!response.ok) throw await ethosError(response, `${method} ${resource}${options.id ? `/${options.id}` : ''}`, Date.now());
    return response;
  }

  async json<T>(method: 'GET' | 'POST' | 'PUT', resource: string, options: { id?: string; query?: Record<string, string>; body?: unknown } = {}): Promise<T> {
    const response = await this.call(method, resource, options);
    const body = await readJson(response);
    if (body === undefined || typeof body === 'string') {
      throw new SisError({ code: 'bad_response', message: `${method} ${resource}: the SIS answered no JSON`, status: response.status, raw: body });
    }
    return body as T;
  }

  /** Pages through a resource; each yield is one page. */
  async *pages<T>(resource: string, criteria?: unknown): AsyncGenerator<T[]> {
    let limit = this.options.pageSize;
    let offset = 0;
    for (;;) {
      const query: Record<string, string> = { offset: String(offset), limit: String(limit) };
      if (criteria !== undefined) query.criteria = JSON.stringify(criteria);
      const { max, total, items } = await readWithRetry(async () => {
        const response = await this.call('GET', resource, { query });
        return { max: Number(response.headers.get('x-max-page-size')), total: Number(response.headers.get('x-total-count')), items: (await readJson(response)) as T[] };
      });
      if (!Array.isArray(items)) throw new SisError({ code: 'bad_response', message: `GET ${resource}: expected an array`, raw: items });
      if (items.length > 0) yield items;
      offset += items.length;
      if (max > 0 && max < limit) limit = max;
      if (items.length === 0 || (Number.isFinite(total) && total > 0 && offset >= total)) return;
    }
  }

  async all<T>(resource: string, criteria?: unknown): Promise<T[]> {
    const out: T[] = [];
    for await (const page of this.pages<T>(resource, criteria)) out.push(...page);
    return out;
  }
}
