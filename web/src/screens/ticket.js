// The ticket view (seed 003, steps 4-23): a ticket's messages, the reply box, its actions
// and tabs. Opened from a board card or a search result at /tickets/{number}.
import { html } from '../html.js';
import { t } from '../i18n.js';
import { AppHeader } from '../shell.js';
import { ScreenTitle, useTitle } from '../ui.js';

export function TicketScreen({ number }) {
  useTitle(t('ticket.title', { number }));
  return html`<div class="app">
    <a class="skip-link" href="#main">${t('app.skip')}</a>
    <${AppHeader} />
    <main id="main" class="app__main">
      <${ScreenTitle}>${t('ticket.title', { number })}</${ScreenTitle}>
    </main>
  </div>`;
}
