// The REST client and the signed-in session (token in sessionStorage, so it ends with the tab).

const KEYS = { token: 'day2.token', user: 'day2.user', login: 'day2.login', project: 'day2.project' };
const TOKEN_PATH = '/realms/master/protocol/openid-connect/token';

/** A refusal from the server, with the field and rule split out of `message` ("field: rule"). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code || '';
    const split = /^([A-Za-z_][\w.[\]]*): (.+)$/s.exec(this.message);
    this.field = split ? split[1] : '';
    this.rule = split ? split[2] : this.message;
  }
}

/** Thrown when the token is missing, expired or refused; the app returns to sign-in. */
export class SessionExpired extends Error {
  constructor() {
    super('Your session has ended. Sign in again to continue.');
  }
}

const expiryListeners = new Set();

/** Calls `listener` when the session ends (a 401, or the token's expiry time passes). */
export function onSessionExpired(listener) {
  expiryListeners.add(listener);
}

function sessionEnded() {
  sessionStorage.removeItem(KEYS.token);
  for (const listener of expiryListeners) listener();
}

/** The claims of a JWT, read without verifying (the server verifies; the page only reads the expiry). */
export function claimsOf(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part + '='.repeat((4 - (part.length % 4)) % 4)));
  } catch {
    return {};
  }
}

export const session = {
  get token() {
    return sessionStorage.getItem(KEYS.token) || '';
  },
  get user() {
    return sessionStorage.getItem(KEYS.user) || '';
  },
  /** The user name of the last password sign-in in this tab (what the sign-in form offers again). */
  get login() {
    return sessionStorage.getItem(KEYS.login) || '';
  },
  get project() {
    return sessionStorage.getItem(KEYS.project) || '';
  },
  set project(name) {
    sessionStorage.setItem(KEYS.project, name);
  },
  /** Seconds since the epoch when the token expires (0 when unknown). */
  get expires() {
    return Number(claimsOf(this.token).exp || 0);
  },
  get active() {
    if (!this.token) return false;
    const expires = this.expires;
    return !expires || expires * 1000 > Date.now();
  },
  /** Checks the expiry time; ends the session when it has passed. */
  check() {
    if (this.token && !this.active) sessionEnded();
  },
  signOut() {
    sessionStorage.removeItem(KEYS.token);
  },
};

/** Password grant against the embedded token endpoint; keeps the token for this tab. */
export async function signIn(username, password) {
  const form = new URLSearchParams({ grant_type: 'password', client_id: 'day2-ui', username, password });
  const response = await fetch(TOKEN_PATH, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: form.toString(),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(response.status, body.error, body.error_description || 'Sign-in failed');
  }
  sessionStorage.setItem(KEYS.token, body.access_token);
  sessionStorage.setItem(KEYS.user, username);
  sessionStorage.setItem(KEYS.login, username);
  return body;
}

/**
 * Signs in with an access token issued elsewhere (an external issuer the orchestrator trusts through
 * --jwt-jwks-url, or `day2-orchestrator` tooling): the server is asked whether it accepts the token before it is kept.
 */
export async function signInWithToken(token) {
  const response = await fetch('/v1/projects', {
    headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, body.code, body.message || `HTTP ${response.status}`);
  const claims = claimsOf(token);
  sessionStorage.setItem(KEYS.token, token);
  sessionStorage.setItem(KEYS.user, claims.preferred_username || claims.sub || 'token');
  return body;
}

async function call(method, path, { query, body } = {}) {
  session.check();
  if (!session.token) {
    sessionEnded();
    throw new SessionExpired();
  }
  let url = path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const text = params.toString().replace(/\+/g, '%20');
    if (text) url += (url.includes('?') ? '&' : '?') + text;
  }
  const headers = { Accept: 'application/json', Authorization: `Bearer ${session.token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  if (response.status === 401) {
    sessionEnded();
    throw new SessionExpired();
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, data?.code, data?.message);
  }
  return data;
}

/** Project-scoped calls: api.get('compute/hosts', {pageSize: 25}). */
export const api = {
  projectPath(path) {
    return `/v1/projects/${encodeURIComponent(session.project)}/${path}`;
  },
  get(path, query) {
    return call('GET', this.projectPath(path), { query });
  },
  post(path, body, query) {
    return call('POST', this.projectPath(path), { body, query });
  },
  patch(path, body, query) {
    return call('PATCH', this.projectPath(path), { body, query });
  },
  delete(path) {
    return call('DELETE', this.projectPath(path));
  },
  projects() {
    return call('GET', '/v1/projects');
  },
};

/** A filter string literal: double-quoted; the REST filter grammar allows no escapes, so callers pass checked text. */
export function quoted(text) {
  return `"${text}"`;
}
