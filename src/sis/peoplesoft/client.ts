// PeopleSoft Integration Broker REST transport: HTTP Basic, PAGE/PAGE_SIZE paging, and the
// message-catalog errors (`{ MSGS: [{ MESSAGE_TEXT, FIELDNAME, MSGSET, MSGNBR }] }`).
import { codeForStatus, parseRetryAfter, SisError } from '../errors.ts';
import { httpCall, readJson } from '../http.ts';
import { readWithRetry } from '../read-retry.ts';
import type { PsPage } from './wire.ts';

export interface PsClientOptions {
  baseUrl: string;
  username: string;
  password: string;
  timeoutMs: number;
  pageSize: number;
}

/** PeopleSoft field names → the normalized field a message is about. */
const FIELDS: Record<string, string> = {
  UNITS: 'credits',
  UNITS_MAXIMUM: 'credits',
  DESCR: 'title',
  MEETING_TIME_START: 'meetings.startTime',
  MEETING_TIME_END: 'meetings.endTime',
  FACILITY_ID: 'meetings.roomKey',
  CLASS_SECTION: 'sectionNumber',
  CLASS_STAT: 'status',
  CRSE_ID: 'courseKey',
  CRSE_OFFER_NBR: 'courseKey',
  EMPLID: 'instructors',
  ENRL_CAP: 'capacity',
  SSR_COMPONENT: 'component',
  CLASS_NBR: 'members',
};

interface PsErrorBody {
  MSGS?: { MESSAGE_TEXT?: string; FIELDNAME?: string }[];
}

export class PsClient {
  private readonly options: PsClientOptions;

  constructor(options: PsClientOptions) {
    this.options = options;
  }

  async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T | undefined> {
    const auth = Buffer.from(`${this.options.username}:${this.options.password}`).toString('base64');
    const response = await httpCall({
      method,
      url: `${this.options.baseUrl.replace(/\/$/, '')}${path}`,
      headers: { authorization: `Basic ${auth}`, accept: 'application/json' },
      body,
      timeoutMs: this.options.timeoutMs,
    });
    const payload = await readJson(response);
    if (response.ok) return payload as T | undefined;
    const messages = typeof payload === 'object' && payload ? ((payload as PsErrorBody).MSGS ?? []) : [];
    const fieldName = messages.find((m) => m.FIELDNAME)?.FIELDNAME;
    throw new SisError({
      code: codeForStatus(response.status),
      message: `${method} ${path}: ${messages.map((m) => m.MESSAGE_TEXT).join('; ') || `HTTP ${response.status}`}`,
      field: fieldName ? (FIELDS[fieldName] ?? fieldName) : undefined,
      status: response.status,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
      raw: payload,
    });
  }

  async get<T>(path: string): Promise<T> {
    const body = await this.call<T>('GET', path);
    if (body === undefined || typeof body !== 'object') throw new SisError({ code: 'bad_response', message: `GET ${path}: the SIS answered no JSON`, raw: body });
    return body;
  }

  /** Pages through a list whose rows sit under `rowsKey`. */
  async *pages<T>(path: string, rowsKey: string): AsyncGenerator<T[]> {
    const sep = path.includes('?') ? '&' : '?';
    for (let page = 1; ; page++) {
      const body = await readWithRetry(() => this.get<PsPage & Record<string, unknown>>(`${path}${sep}PAGE=${page}&PAGE_SIZE=${this.options.pageSize}`));
      const rows = body[rowsKey];
      if (!Array.isArray(rows)) throw new SisError({ code: 'bad_response', message: `GET ${path}: no ${rowsKey} list`, raw: body });
      if (rows.length > 0) yield rows as T[];
      if (rows.length === 0 || page * body.PAGE_SIZE >= body.TOTAL_ROWS) return;
    }
  }
}
