// Who is signed in: the person, their company and what their role lets them do
// (GET /v1/me). Signing in or out in one tab does the same in the others.
import { signal } from '@preact/signals';
import { adoptSession, api, dropSession, renewSession, whenSessionLost } from './api.js';
import { tenantLocale } from './i18n.js';
import { timezone } from './format.js';
import { navigate } from './router.js';

/** ``{user, tenant, actions}`` of /v1/me, or null when nobody is signed in. */
export const me = signal(null);
/** Whether the signed-in person's role allows ``action`` (``actions`` of /v1/me). */
export const can = (action) => me.value?.actions.includes(action) ?? false;
/** False until the first check of the session cookie has answered. */
export const ready = signal(false);

const tabs = typeof BroadcastChannel === 'function' ? new BroadcastChannel('atiende-session') : null;

async function loadMe() {
  const who = await api('GET', '/v1/me');
  tenantLocale.value = who.tenant.locale;
  timezone.value = who.tenant.timezone;
  me.value = who;
  return who;
}

function forget() {
  dropSession();
  me.value = null;
  tenantLocale.value = null;
}

/** At page load: a live session cookie signs the person in again without a password. */
export async function restore() {
  try {
    if (await renewSession()) await loadMe();
  } catch {
    forget();
  } finally {
    ready.value = true;
  }
}

/** Takes the session a sign-in form got from the API and opens the board. */
export async function signedIn(session) {
  adoptSession(session);
  await loadMe();
  tabs?.postMessage('signed-in');
  navigate('/', { replace: true });
}

export async function signOut() {
  try {
    await api('POST', '/v1/auth/logout');
  } catch {
    // the session is over either way on this device
  }
  forget();
  tabs?.postMessage('signed-out');
  navigate('/login', { replace: true });
}

whenSessionLost(() => {
  forget();
  navigate('/login', { replace: true });
});

if (tabs) {
  tabs.onmessage = async ({ data }) => {
    if (data === 'signed-out' && me.value) {
      forget();
      navigate('/login', { replace: true });
    } else if (data === 'signed-in' && !me.value) {
      await restore();
      if (me.value) navigate('/', { replace: true });
    }
  };
}
