// The public HTTP API, as every client sees it: bearer token, JSON bodies, JSON errors.
export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || 'http_error';
    this.field = error.field || '';
  }
}

export class Api {
  constructor(token) {
    this.token = token;
  }

  async request(method, path, body, { accept = 'application/json', headers = {} } = {}) {
    const init = { method, headers: { Accept: accept, Authorization: `Bearer ${this.token}`, ...headers } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const type = response.headers.get('Content-Type') || '';
    const payload = type.startsWith('application/json') ? await response.json() : await response.text();
    if (!response.ok) throw new ApiError(response.status, typeof payload === 'object' ? payload : null);
    return payload;
  }

  get(path, options) { return this.request('GET', path, undefined, options); }
  post(path, body, options) { return this.request('POST', path, body ?? {}, options); }

  // The token's claims (sub, role, exp), read without verifying: the server verifies every call.
  claims() {
    const part = this.token.split('.')[1] || '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
  }
}

// Signs in without a token on a stack in its local development mode (POST /v1/dev/sign-in).
export async function devSignIn(role) {
  const response = await fetch('/v1/dev/sign-in', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ role }),
  });
  const payload = await response.json();
  if (!response.ok) throw new ApiError(response.status, payload);
  return payload;
}
