// The administration and portal pages (issue 13): every area of the console's settings
// registers its pages in its own file under ./areas/, and this list gathers them. A page
// the signed-in role may not open is never linked, and its address shows "not allowed".
//
// A page: {
//   path: '/admin/users',            its address (the side navigation links it)
//   pattern: /^\/admin\/users\/(?<id>[^/]+)$/,   optional: an address with values; the
//                                    screen gets the named groups as props (not linked)
//   title: 'admin.users.title',      i18n key of its name in the side navigation
//   section: 'people',               the side navigation's group (SECTIONS below)
//   order: 10,                       its place in that group
//   nav: true,                       false: reachable, not listed (a detail page)
//   allowed: () => can('users.read'),
//   Screen: lazy('UsersScreen'),     the screen, by its name in ./all.js's SCREENS: the
//                                    administration's screens are a lazy chunk (./load.js);
//                                    a new screen is imported and listed there too
// }
import { ACCOUNT_PAGES } from './areas/account.js';
import { BILLING_PAGES } from './areas/billing.js';
import { CHANNEL_PAGES } from './areas/channels.js';
import { CHANNEL_SETTINGS_PAGES } from './areas/channel-settings.js';
import { DESK_PAGES } from './areas/desk.js';
import { INTEGRATION_PAGES } from './areas/integrations.js';
import { PROFILE_PAGES } from './areas/profile.js';

/** The side navigation's groups, in order (i18n keys `admin.section.<name>`). */
export const SECTIONS = ['account', 'people', 'channels', 'desk', 'integrations', 'portal'];

export const PAGES = [
  ...ACCOUNT_PAGES,
  ...BILLING_PAGES,
  ...CHANNEL_PAGES,
  ...CHANNEL_SETTINGS_PAGES,
  ...DESK_PAGES,
  ...INTEGRATION_PAGES,
  ...PROFILE_PAGES,
];

/** The page at ``path``: [page, props] or null when no page has that address. */
export function pageAt(path) {
  for (const page of PAGES) {
    if (page.path === path) return [page, {}];
    const found = page.pattern?.exec(path);
    if (found) return [page, { ...found.groups }];
  }
  return null;
}

/** The pages the signed-in role may open and that the side navigation lists, in order. */
export function navPages() {
  return PAGES.filter((page) => page.nav !== false && page.allowed())
    .map((page) => ({ ...page, rank: SECTIONS.indexOf(page.section) * 1000 + (page.order ?? 500) }))
    .sort((a, b) => a.rank - b.rank);
}

/** Where the "Administración" link of the header goes: the first page the role may open. */
export function adminHome() {
  return navPages()[0]?.path ?? null;
}
