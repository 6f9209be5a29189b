// The short hint of an id that a change of /v1/changes carries for a ticket's channel and
// assignee (chalicelib/domain/helpdesk/live.py, ``hint``): four base-36 digits of the
// 32-bit FNV-1a hash of the id's UTF-8 bytes. A board compares them with its columns'
// filters to tell which columns may show a changed ticket, without reading the ticket.
// Kept apart from live.js so that a test can run it in Node (tests/e2e/test_console_live.py).

const utf8 = new TextEncoder();
const remembered = new Map();

/** ``hint('01j...')`` → e.g. ``'1bjv'``; the same as the API's. */
export function hint(value) {
  let known = remembered.get(value);
  if (known === undefined) {
    let hash = 0x811c9dc5;
    for (const byte of utf8.encode(value)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
    known = (hash % 36 ** 4).toString(36).padStart(4, '0');
    remembered.set(value, known);
  }
  return known;
}
