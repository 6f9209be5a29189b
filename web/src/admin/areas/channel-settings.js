// The pages of this area (see ../pages.js for the fields of a page): one channel, with its
// state and settings, and the assignment table (issue 13, seed 001).
import { lazy } from '../load.js';
import { can } from '../../session.js';

export const CHANNEL_SETTINGS_PAGES = [
  {
    // not /admin/channels/connect/<type>: that is the connection flow's page
    pattern: /^\/admin\/channels\/(?<id>(?!connect$)[^/]+)$/,
    title: 'settings.channel.nav',
    section: 'channels',
    nav: false,
    allowed: () => can('channels.manage'),
    Screen: lazy('ChannelScreen'),
  },
  {
    path: '/admin/assignments',
    title: 'settings.assignments.nav',
    section: 'people',
    order: 30,
    allowed: () => can('assignments.read'),
    Screen: lazy('AssignmentsScreen'),
  },
];
