// Every person's own page (linked from their name in the header, not from the side navigation).





import { lazy } from '../load.js';

export const PROFILE_PAGES = [{ path: '/profile', title: 'profile.title', section: 'account', nav: false, allowed: () => true, Screen: lazy('ProfileScreen') }];
