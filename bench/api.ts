// A signed-in REST client for the benchmarks: the session cookie and CSRF token of one user.
export class Api {
  cookie = '';
  csrf = '';
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }

  static async signIn(base: string, email: string, password: string): Promise<Api> {
    const api = new Api(base);
    api.csrf = (await api.call('POST', '/api/v1/session', { email, password })).csrfToken;
    return api;
  }

  async call(method: string, path: string, body?: unknown) {
    const res = await fetch(this.base + path, {
      method,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), cookie: this.cookie, 'x-csrf-token': this.csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const cookie = res.headers.get('set-cookie');
    if (cookie) this.cookie = cookie.split(';')[0];
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return json;
  }
}
