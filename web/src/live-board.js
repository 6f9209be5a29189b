// What a board does with live changes (issue 12, item 6), as plain functions: which columns
// may show a changed ticket, and how a column's fresh first page joins the cards already
// loaded without moving the ones the person is looking at. No DOM, no API: a test runs
// them in Node (tests/e2e/test_console_live.py).
import { hint } from './live-hint.js';

const USUAL_STATUSES = ['open', 'pending'];

/** Whether ``column`` (of GET /v1/columns) may show the ticket of ``change`` now: from the
 * change's hints alone, erring towards yes (a needless refresh costs a read; a missed one,
 * a card). ``loaded``: the column shows the ticket already (it may be leaving);
 * ``userId``: the signed-in person (for "me"). */
export function mayShow(column, change, { loaded, userId }) {
  if (change.kind !== 'ticket') return false; // a card shows the ticket's own preview
  if (change.ticket === null || loaded) return true;
  const f = column.filters || {};
  if (change.status && !(f.statuses?.length ? f.statuses : USUAL_STATUSES).includes(change.status)) {
    return false;
  }
  if (f.channel_types?.length && change.channelType && !f.channel_types.includes(change.channelType)) {
    return false;
  }
  if (f.channel_ids?.length && change.channelHint && !f.channel_ids.some((id) => hint(id) === change.channelHint)) {
    return false;
  }
  const who = f.assignee || 'me';
  if (who === 'any') return true;
  if (who === 'unassigned') return !change.assigneeHint;
  return change.assigneeHint === hint(who === 'me' ? userId : who);
}

/** When a card's ticket last moved in its column (the column's order: newest first). */
function movedAt(card) {
  return card.last_activity_at ?? card.at;
}

/** The column after its first page was read again: ``page`` (its items and next_cursor)
 * on top, then the loaded cards that lie below it. ``changed``: the numbers of the
 * tickets the changes named (their old place says nothing); ``gone``: those whose change
 * says the column cannot show them any more (dropped wherever they were).
 *
 * A loaded card that did not move (same ticket, same time) and is on the fresh page marks
 * how far down the page reaches in the old list: a loaded card above that mark and not on
 * the page has left the column (closed, reassigned...), a card below it stays where it is.
 * Returns ``{items, added, updated, kept}``: ``added``, the numbers new to the column;
 * ``updated``, the ones already there whose card changed; ``kept``, how many loaded cards
 * stay below the page (0: the column is the page, with the page's cursor). */
export function mergeFirstPage(loaded, page, changed = new Set(), gone = new Set()) {
  const fresh = page.items;
  const onPage = new Set(fresh.map((card) => card.number));
  const at = new Map(loaded.map((card, i) => [card.number, i]));
  let reach = -1;
  for (const card of fresh) {
    const i = at.get(card.number);
    if (i === undefined || changed.has(card.number) || movedAt(loaded[i]) !== movedAt(card)) continue;
    reach = Math.max(reach, i);
  }
  const below = page.next_cursor
    ? loaded.filter((card, i) => i > reach && !onPage.has(card.number) && !gone.has(card.number))
    : [];
  const added = [];
  const updated = [];
  for (const card of fresh) {
    const i = at.get(card.number);
    if (i === undefined) added.push(card.number);
    else if (JSON.stringify(loaded[i]) !== JSON.stringify(card)) updated.push(card.number);
  }
  return { items: [...fresh, ...below], added, updated, kept: below.length };
}
