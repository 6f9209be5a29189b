// The pages of this area (see ../pages.js for the fields of a page): the account, the
// establishment, the users and the agent groups (issue 13, items 1 and 2).
import { lazy } from '../load.js';
import { can } from '../../session.js';

export const ACCOUNT_PAGES = [
  {
    path: '/admin/account',
    title: 'account.title',
    section: 'account',
    order: 10,
    allowed: () => can('account.read'),
    Screen: lazy('AccountScreen'),
  },
  {
    path: '/admin/establishment',
    title: 'establishment.title',
    section: 'account',
    order: 11,
    nav: false,
    allowed: () => can('account.read'),
    Screen: lazy('EstablishmentScreen'),
  },
  {
    path: '/admin/users',
    title: 'users.title',
    section: 'people',
    order: 10,
    allowed: () => can('users.read'),
    Screen: lazy('UsersScreen'),
  },
  {
    path: '/admin/users/{id}',
    pattern: /^\/admin\/users\/(?<id>[A-Za-z0-9_-]{1,64})$/,
    title: 'users.one',
    section: 'people',
    order: 11,
    nav: false,
    allowed: () => can('users.read'),
    Screen: lazy('UserScreen'),
  },
  {
    path: '/admin/agent-groups',
    title: 'groups.title',
    section: 'people',
    order: 20,
    allowed: () => can('agent_groups.manage'),
    Screen: lazy('AgentGroupsScreen'),
  },
];
