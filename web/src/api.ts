// The public REST API, as the browser speaks it: the session cookie, and the csrfToken from
// sign-in echoed in x-csrf-token on every write. Errors arrive as RFC 9457 problems.

export interface FieldError {
  field: string;
  message: string;
}
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.status = problem.status;
    this.problem = problem;
  }
}

const CSRF_KEY = 'coursebridge.csrf';
export const csrf = {
  get: () => sessionStorage.getItem(CSRF_KEY),
  set: (token: string | null) => (token ? sessionStorage.setItem(CSRF_KEY, token) : sessionStorage.removeItem(CSRF_KEY)),
};

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();
/** Called when the API says the session is gone (401), so the app shows the sign-in screen. */
export function onUnauthenticated(listener: Listener) {
  unauthenticatedListeners.add(listener);
  return () => {
    unauthenticatedListeners.delete(listener);
  };
}

/**
 * A session ends after a while without use (COURSEBRIDGE_SESSION_IDLE_MINUTES). The page polls by
 * itself (dashboards, a post's status), so a request made when nobody has touched the page for a
 * minute says so: the hub answers it without counting it as use, and a screen left open goes idle.
 */
const UNATTENDED_AFTER_MS = 60_000;
let lastTouched = Date.now();
for (const type of ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'])
  window.addEventListener(type, () => (lastTouched = Date.now()), { capture: true, passive: true });

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (Date.now() - lastTouched > UNATTENDED_AFTER_MS) headers['x-unattended'] = '1';
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = csrf.get();
  if (method !== 'GET' && token) headers['x-csrf-token'] = token;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const problem: Problem =
      data && typeof data === 'object' && 'title' in data
        ? (data as Problem)
        : { title: res.statusText || 'Error', status: res.status, detail: text || `HTTP ${res.status}` };
    if (res.status === 401 && path !== '/api/v1/session') unauthenticatedListeners.forEach((l) => l());
    throw new ApiError(problem);
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => api<T>('POST', path, body);
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);

export function qs(params: Record<string, string | number | undefined | null | false>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '' && v !== false) search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}

/** The problem's field errors keyed by field path ("meetings.0.endTime"). */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const e of error.problem.errors ?? []) out[e.field] = out[e.field] ? `${out[e.field]}; ${e.message}` : e.message;
  return out;
}
