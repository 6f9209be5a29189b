// The pages of this area (see ../pages.js for the fields of a page): the channels list and
// the connect page of each type (its flow comes from ../kinds/).
import { lazy } from '../load.js';
import { can } from '../../session.js';

export const CHANNEL_PAGES = [
  {
    path: '/admin/channels',
    title: 'adminChannels.title',
    section: 'channels',
    order: 10,
    allowed: () => can('channels.manage'),
    Screen: lazy('ChannelsScreen'),
  },
  {
    path: '/admin/channels/connect',
    pattern: /^\/admin\/channels\/connect\/(?<type>[a-z_]+)$/,
    title: 'adminChannels.connect',
    section: 'channels',
    nav: false,
    allowed: () => can('channels.manage'),
    Screen: lazy('ConnectScreen'),
  },
];
