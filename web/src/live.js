// What changed on the desk, as the console learns of it (issue 12, item 6): screens
// subscribe and refresh what they show; how changes are learnt (polling a cheap
// "what changed since" read, or a socket) is this module's business alone.
//
//   const stop = onChange((change) => { ... });   // in a useEffect; call stop() on unmount
//
// A change is ``{kind, ticket}``: ``kind`` is 'ticket' (created or changed) or
// 'message' (a message stored or its delivery status changed); ``ticket`` its number.

const listeners = new Set();

/** Calls ``callback(change)`` for every change learnt from now on; returns the unsubscribe. */
export function onChange(callback) {
  listeners.add(callback);
  return () => listeners.delete(callback);
}

/** Hands ``change`` to every subscriber (the transport calls it). */
export function announce(change) {
  for (const listener of [...listeners]) listener(change);
}
