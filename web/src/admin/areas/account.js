// The pages of this area (see ../pages.js for the fields of a page): the account, the
// establishment, the users and the agent groups (issue 13, items 1 and 2).
import { can } from '../../session.js';
import { AccountScreen } from '../account/account.js';
import { AgentGroupsScreen } from '../account/agent-groups.js';
import { EstablishmentScreen } from '../account/establishment.js';
import { UserScreen } from '../account/user.js';
import { UsersScreen } from '../account/users.js';

export const ACCOUNT_PAGES = [
  {
    path: '/admin/account',
    title: 'account.title',
    section: 'account',
    order: 10,
    allowed: () => can('account.read'),
    Screen: AccountScreen,
  },
  {
    path: '/admin/establishment',
    title: 'establishment.title',
    section: 'account',
    order: 11,
    nav: false,
    allowed: () => can('account.read'),
    Screen: EstablishmentScreen,
  },
  {
    path: '/admin/users',
    title: 'users.title',
    section: 'people',
    order: 10,
    allowed: () => can('users.read'),
    Screen: UsersScreen,
  },
  {
    path: '/admin/users/{id}',
    pattern: /^\/admin\/users\/(?<id>[A-Za-z0-9_-]{1,64})$/,
    title: 'users.one',
    section: 'people',
    order: 11,
    nav: false,
    allowed: () => can('users.read'),
    Screen: UserScreen,
  },
  {
    path: '/admin/agent-groups',
    title: 'groups.title',
    section: 'people',
    order: 20,
    allowed: () => can('agent_groups.manage'),
    Screen: AgentGroupsScreen,
  },
];
