// The events a webhook may listen to (chalicelib/domain/integrations.py EVENTS), grouped
// as the form offers them; a name is ``integ.event.<event>`` in the i18n files.
export const EVENT_GROUPS = [
  ['tickets', ['ticket.created', 'ticket.assigned', 'ticket.status_changed', 'ticket.merged', 'ticket.escalated']],
  ['messages', ['message.received', 'message.sent']],
  ['comments', ['comment.created']],
  ['sla', ['sla.breached']],
  ['bot', ['bot.message']],
  ['orders', ['order.created', 'order.annulled', 'payment.recorded', 'payment.reconciled', 'payment.rejected']],
];

export const BOT_EVENT = 'bot.message';

/** The host of a webhook's URL (its path may hold a token: shown only on its own page). */
export function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** A new signing secret, made in the browser: ``whsec_`` and 256 random bits, URL-safe. */
export function newSecret() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const text = btoa(String.fromCharCode(...bytes));
  return `whsec_${text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}
