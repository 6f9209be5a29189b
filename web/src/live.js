// What changed on the desk, as the console learns of it (issue 12, item 6): screens
// subscribe and refresh what they show; how changes are learnt is this module's business
// alone. Today: polling GET /v1/changes, one small read (docs/decisions.md, "Live updates").
//
//   const stop = onChange((change) => { ... });   // in a useEffect; call stop() on unmount
//
// A change is ``{kind, ticket, at, ...}``: ``kind`` is 'ticket' (created or changed: a field,
// its assignee, its status, a new message's preview) or 'message' (a message stored or its
// delivery status changed); ``ticket`` its number. A 'ticket' change also says what a
// board needs to tell which columns may show it: ``status``, ``channelType``,
// ``channelHint``, ``assigneeHint`` (null: unassigned) and ``assigneeHintBefore`` (set when
// it just left someone), the hints being ``hint(id)`` of live-hint.js.
//
// ``ticket: null`` (with ``all: true``) means that changes were missed (the tab slept past
// what the API keeps): refresh everything shown. ``concerns(change, number)`` says whether
// a change may be about ticket ``number``, that case included.
//
// The transport: while someone listens and the person may read tickets, one GET every
// ``poll_seconds`` (3) while the tab is in view, every 30 s while it is hidden, at once
// when it comes back into view or online; slower after each failure (up to a minute).
// Changes are handed over in the order the API gives them, after the first answer (which
// only says where the feed stands).
import { api, hasSession } from './api.js';
import { hint } from './live-hint.js';
import { can, me } from './session.js';

export { hint };

const listeners = new Set();
/** Polls while the tab is hidden, at most this often. */
const HIDDEN_MS = 30_000;
/** The slowest poll after failures. */
const BACKOFF_MAX_MS = 60_000;

let seq = null; // where this page stands in the feed (null: not asked yet)
let owner = null; // whose feed ``seq`` is (another sign-in starts again)
let every = 3_000; // the API's poll_seconds
let failures = 0;
let timer = null;
let inFlight = false;
let lastPoll = 0;

/** Calls ``callback(change)`` for every change learnt from now on; returns the unsubscribe. */
export function onChange(callback) {
  listeners.add(callback);
  if (listeners.size === 1) start();
  return () => {
    listeners.delete(callback);
    if (!listeners.size) stop();
  };
}

/** Hands ``change`` to every subscriber (the transport calls it). A subscriber that
 * throws does not keep the change from the others. */
export function announce(change) {
  for (const listener of [...listeners]) {
    try {
      listener(change);
    } catch (error) {
      setTimeout(() => {
        throw error;
      });
    }
  }
}

/** Whether ``change`` may concern ticket ``number`` (its own, or "refresh everything"). */
export function concerns(change, number) {
  return change.ticket === null || change.ticket === Number(number);
}

/** Whether ``change`` tells of a ticket assigned to the signed-in person, or just taken
 * from them (e.g. for the notification bell). */
export function mine(change) {
  const id = me.value?.user.id;
  if (!id || change.kind !== 'ticket') return change.ticket === null;
  return change.assigneeHint === hint(id) || change.assigneeHintBefore === hint(id);
}

function allowed() {
  return listeners.size > 0 && hasSession() && can('tickets.read');
}

function hidden() {
  return typeof document !== 'undefined' && document.visibilityState === 'hidden';
}

function schedule() {
  clearTimeout(timer);
  timer = null;
  if (!allowed()) return;
  const wait = failures
    ? Math.min(BACKOFF_MAX_MS, every * 2 ** failures)
    : hidden()
      ? Math.max(HIDDEN_MS, every)
      : every;
  timer = setTimeout(poll, wait);
}

function toChange(c) {
  const change = { kind: c.kind, ticket: c.ticket, at: c.at, seq: c.seq };
  if (c.kind === 'ticket') {
    Object.assign(change, {
      status: c.status,
      channelType: c.channel_type,
      channelHint: c.channel_hint,
      assigneeHint: c.assignee_hint,
      assigneeHintBefore: c.assignee_hint_before,
    });
  }
  return change;
}

async function poll() {
  clearTimeout(timer);
  timer = null;
  if (inFlight || !allowed()) return;
  const who = me.value?.user.id ?? null;
  if (who !== owner) {
    owner = who;
    seq = null;
  }
  inFlight = true;
  lastPoll = Date.now();
  let feed = null;
  try {
    feed =
      seq === null ? await api('GET', '/v1/changes') : await api('GET', `/v1/changes?since=${seq}`);
    failures = 0;
  } catch (error) {
    // 401 once renewal failed: the session is over (the app shows the login); 403: the
    // role may not read tickets. Neither gets better by asking again.
    if (error.status === 401 || error.status === 403) {
      inFlight = false;
      return;
    }
    failures += 1;
  }
  inFlight = false;
  if (feed && owner === (me.value?.user.id ?? null)) {
    const first = seq === null;
    seq = feed.seq;
    every = Math.min(60, Math.max(1, feed.poll_seconds || 3)) * 1000;
    if (!first) {
      if (!feed.complete) {
        announce({ kind: 'ticket', ticket: null, all: true, at: feed.at, seq: feed.seq });
        announce({ kind: 'message', ticket: null, all: true, at: feed.at, seq: feed.seq });
      }
      for (const change of feed.changes) announce(toChange(change));
    }
  }
  schedule();
}

/** A poll now unless one just went (the tab came into view, got the focus, went online). */
function soon() {
  if (allowed() && !inFlight && Date.now() - lastPoll > 1_000) {
    failures = 0;
    poll();
  }
}

function onVisibility() {
  if (hidden()) schedule();
  else soon();
}

function start() {
  if (typeof document !== 'undefined') {
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('focus', soon);
    window.addEventListener('online', soon);
  }
  poll();
}

function stop() {
  clearTimeout(timer);
  timer = null;
  if (typeof document !== 'undefined') {
    document.removeEventListener('visibilitychange', onVisibility);
    window.removeEventListener('focus', soon);
    window.removeEventListener('online', soon);
  }
}
