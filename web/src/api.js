// Every call of the console to the API goes through api(method, path, body): a test
// reads these calls from the source and checks each against /v1/openapi.json.
//
// The access token lives in this module's memory only. The refresh token never reaches
// page script: the API keeps it in an HttpOnly cookie scoped to /v1/auth, sent only
// with the X-Atiende-Session header (docs/decisions.md, "The console's session").

const SESSION_HEADER = { 'X-Atiende-Session': 'cookie' };
/** Renew this long before the access token expires. */
const EARLY_MS = 60_000;

let accessToken = null;
let renewTimer = null;
let onSessionLost = () => {};

/** An answer of the API in its error format (SPEC §10), or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    const error = body?.error ?? {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || (status === 0 ? 'network' : 'unknown');
    this.details = error.details ?? null;
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

/** Called when the session ends by itself (a refresh refused): the app shows the login. */
export function whenSessionLost(callback) {
  onSessionLost = callback;
}

async function send(method, path, body, token) {
  const headers = { Accept: 'application/json', ...SESSION_HEADER };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, null, null);
  }
  const text = await response.text();
  let parsed = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!response.ok) throw new ApiError(response.status, parsed, response.headers.get('Retry-After'));
  return parsed;
}

/** Calls the API as the signed-in person; an expired access token is renewed once. */
export async function api(method, path, body) {
  try {
    return await send(method, path, body, accessToken);
  } catch (error) {
    if (error.status !== 401 || !accessToken) throw error;
    if (!(await renewSession())) throw error;
    return send(method, path, body, accessToken);
  }
}

/** Takes a session the API just opened (login, signup, reset, invitation, refresh). */
export function adoptSession(session) {
  accessToken = session.access_token;
  clearTimeout(renewTimer);
  const inMs = Math.max(5_000, session.expires_in * 1000 - EARLY_MS);
  renewTimer = setTimeout(renewQuietly, inMs);
}

function renewQuietly() {
  renewSession().then(
    (ok) => ok || onSessionLost(),
    () => {
      renewTimer = setTimeout(renewQuietly, 15_000); // offline for now: try again soon
    },
  );
}

export function dropSession() {
  accessToken = null;
  clearTimeout(renewTimer);
}

export function hasSession() {
  return accessToken !== null;
}

// Tabs share one cookie: renewals take turns, so two tabs never present the same
// refresh token (the API would take the second for a copied token and end the session).
function oneAtATime(task) {
  return navigator.locks ? navigator.locks.request('atiende-session', task) : task();
}

let renewing = null;

/** Trades the cookie for a fresh access token; false when there is no live session. */
export function renewSession() {
  renewing ??= oneAtATime(async () => {
    try {
      adoptSession(await send('POST', '/v1/auth/refresh', {}, null));
      return true;
    } catch (error) {
      if (error.status === 0) throw error;
      dropSession();
      return false;
    }
  }).finally(() => {
    renewing = null;
  });
  return renewing;
}
