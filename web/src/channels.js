// The nine channel types (SPEC §3, docs/channels.md) and their icons: small inline SVGs
// (no icon font, no request), drawn on a tile in the channel's own colour.
import { html } from './html.js';
import { t } from './i18n.js';

export const CHANNEL_TYPES = [
  'whatsapp',
  'facebook',
  'instagram',
  'twitter',
  'twitter_search',
  'email',
  'chat',
  'app_store',
  'play_store',
];

/** One path per type, on a 24×24 grid, stroked in white. */
const GLYPHS = {
  whatsapp: html`<path d="M5.2 18.8l1-3.3A7.5 7.5 0 1 1 9 18.1z" /><path d="M9.4 9.2c.2 2.6 2.7 5.1 5.3 5.4l1-1.2-1.7-.8-.8.8c-.9-.4-1.6-1.1-2-2l.8-.8-.8-1.7z" class="fill" />`,
  facebook: html`<path d="M14.5 7.5h-1.6c-1 0-1.6.6-1.6 1.6V19M9.5 12.2h4.8" />`,
  instagram: html`<rect x="5.5" y="5.5" width="13" height="13" rx="4" /><circle cx="12" cy="12" r="3" /><circle cx="15.6" cy="8.4" r=".6" class="fill" />`,
  twitter: html`<path d="M6.5 6.5l11 11M17.5 6.5l-11 11" />`,
  twitter_search: html`<circle cx="10.5" cy="10.5" r="4.5" /><path d="M14 14l4.5 4.5" />`,
  email: html`<rect x="5" y="7" width="14" height="10" rx="1.8" /><path d="M5.5 8l6.5 5 6.5-5" />`,
  chat: html`<path d="M5.5 7.5a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v6a2 2 0 0 1-2 2h-5l-3.5 3v-3h-.5a2 2 0 0 1-2-2z" /><path d="M9 10.5h6" />`,
  app_store: html`<path d="M9.5 17.5L14 8.5M14.5 17.5L10 8.5M7.5 14.5h9" />`,
  play_store: html`<path d="M8 6.3v11.4a.6.6 0 0 0 .9.5l9.3-5.7a.6.6 0 0 0 0-1L8.9 5.8a.6.6 0 0 0-.9.5z" />`,
};

export function channelName(type) {
  return t(`channel.${CHANNEL_TYPES.includes(type) ? type : 'other'}`);
}

/** A channel type's icon; named for assistive technology unless ``decorative``. */
export function ChannelIcon({ type, size = 'md', decorative = false }) {
  const known = CHANNEL_TYPES.includes(type) ? type : 'chat';
  const label = decorative ? {} : { role: 'img', 'aria-label': channelName(type), title: channelName(type) };
  return html`<span class=${`ch ch--${known} ch--${size}`} ...${label} aria-hidden=${decorative ? 'true' : undefined}>
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">${GLYPHS[known]}</svg>
  </span>`;
}
