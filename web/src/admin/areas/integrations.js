// The pages of this area (see ../pages.js for the fields of a page): outgoing webhooks,
// the bot, and the account contacts (seed 004), which are also the portal's page of
// account_contact users.
import { lazy } from '../load.js';
import { can } from '../../session.js';

export const INTEGRATION_PAGES = [
  {
    path: '/admin/integrations',
    title: 'integ.nav.integrations',
    section: 'integrations',
    order: 10,
    allowed: () => can('integrations.manage'),
    Screen: lazy('IntegrationsScreen'),
  },
  {
    path: '/admin/integrations/:id',
    pattern: /^\/admin\/integrations\/(?<id>[^/]+)$/,
    title: 'integ.nav.integrations',
    section: 'integrations',
    nav: false,
    allowed: () => can('integrations.manage'),
    Screen: lazy('IntegrationScreen'),
  },
  {
    path: '/admin/bot',
    title: 'integ.nav.bot',
    section: 'integrations',
    order: 20,
    allowed: () => can('integrations.manage'),
    Screen: lazy('BotScreen'),
  },
  {
    path: '/admin/contacts',
    title: 'integ.contacts.nav',
    // an admin finds it with the account's pages; an account contact in their portal
    get section() {
      return can('account.read') ? 'account' : 'portal';
    },
    order: 50,
    allowed: () => can('account_contacts.read'),
    Screen: lazy('ContactsScreen'),
  },
];
