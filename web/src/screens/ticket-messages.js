// The ticket's conversation: messages oldest first, newest at the bottom, the view kept at
// the end; older pages come by cursor when it is scrolled to the top, and neither they nor
// new messages move what the person is reading.
import { useSignal } from '@preact/signals';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { formatDateTime, formatWhen } from '../format.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { me } from '../session.js';
import { DeliveryState, formatSize, Icon, userName } from './ticket-parts.js';

/** How near the end (px) still counts as "at the end": new messages then scroll in. */
const NEAR_END = 80;
/** How near the top (px) asks for the older page. */
const NEAR_TOP = 160;

function Attachments({ items }) {
  if (!items?.length) return null;
  return html`<ul class="tmsg__files" aria-label=${t('ticket.attachments')}>
    ${items.map(
      (file) => html`<li class="tfile">
        <${Icon} name="file" />
        <span class="tfile__name">${file.filename || file.name || file.content_type}</span>
        ${file.size ? html`<span class="tfile__size">${formatSize(file.size)}</span>` : null}
      </li>`,
    )}
  </ul>`;
}

function Message({ message, clientName, showPublic, selected, answered, onReply, onContext, canReply }) {
  const out = message.direction === 'out';
  const author = out ? (message.author_id ? userName(message.author_id) : t('ticket.bot')) : clientName || t('ticket.client');
  const mine = out && message.author_id === me.value?.user.id;
  return html`<li class=${`tmsg tmsg--${out ? 'out' : 'in'}${message.public ? '' : ' tmsg--private'}${selected ? ' tmsg--selected' : ''}`} data-message=${message.id}>
    <article class="tmsg__bubble" aria-label=${t(out ? 'ticket.messageOut' : 'ticket.messageIn', { who: author, when: formatDateTime(message.sent_at) })}>
      <header class="tmsg__head">
        ${!message.public &&
        html`<span class="tmsg__lock" role="img" aria-label=${t('ticket.private')} title=${t('ticket.private')}><${Icon} name="lock" /></span>`}
        ${showPublic && message.public && html`<span class="tmsg__public">${t('ticket.public')}</span>`}
        <span class="tmsg__author">${mine ? t('ticket.you') : author}</span>
        <time class="tmsg__time" datetime=${message.sent_at} title=${formatDateTime(message.sent_at)}>${formatWhen(message.sent_at)}</time>
      </header>
      ${message.merged_from && html`<p class="tmsg__merged">${t('ticket.fromMerged', { number: message.merged_from })}</p>`}
      ${message.reply_to &&
      html`<blockquote class="tmsg__quote">${answered ? answered.text || t('ticket.attachmentOnly') : t('ticket.answersAMessage')}</blockquote>`}
      ${message.text && html`<p class="tmsg__text">${message.text}</p>`}
      <${Attachments} items=${message.attachments} />
      <footer class="tmsg__foot">
        ${out && html`<${DeliveryState} message=${message} />`}
        <span class="tmsg__actions">
          ${canReply &&
          html`<button type="button" class="tmsg__action" onClick=${() => onReply(message)} aria-label=${t('ticket.replyTo', { who: author })}>
            <${Icon} name="reply" /><span>${t('ticket.reply')}</span>
          </button>`}
          <button type="button" class="tmsg__action" onClick=${() => onContext(message)} aria-pressed=${selected ? 'true' : 'false'} aria-label=${t('ticket.contextOf', { who: author })}>
            <${Icon} name="context" /><span>${t('ticket.context')}</span>
          </button>
        </span>
      </footer>
    </article>
  </li>`;
}

/**
 * ``messages`` oldest first. ``hasOlder`` and ``onOlder()`` page backwards (a promise);
 * ``loadingOlder`` while it runs.
 */
export function MessageList({ messages, hasOlder, loadingOlder, onOlder, clientName, showPublic, selectedId, canReply, onReply, onContext }) {
  const scroller = useRef(null);
  const unseen = useSignal(0);
  const place = useRef({ fromEnd: 0, atEnd: true, first: null, last: null, count: 0 });

  const remember = () => {
    const el = scroller.current;
    if (!el) return;
    place.current.fromEnd = el.scrollHeight - el.scrollTop;
    place.current.atEnd = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_END;
    if (place.current.atEnd) unseen.value = 0;
  };

  const toEnd = () => {
    const el = scroller.current;
    el.scrollTop = el.scrollHeight;
    unseen.value = 0;
    remember();
  };

  // after each change of the list: the first paint at the end; an older page keeps the
  // distance from the end (so what was on screen stays put); a new message scrolls in
  // only when the person was at the end already or sent it
  useLayoutEffect(() => {
    const el = scroller.current;
    const before = place.current;
    const first = messages[0]?.id ?? null;
    const last = messages[messages.length - 1]?.id ?? null;
    if (!before.count && messages.length) {
      el.scrollTop = el.scrollHeight;
    } else if (first !== before.first && last === before.last) {
      el.scrollTop = el.scrollHeight - before.fromEnd;
    } else if (last !== before.last && messages.length) {
      const newest = messages[messages.length - 1];
      const mine = newest.direction === 'out' && newest.author_id === me.value?.user.id;
      if (before.atEnd || mine) el.scrollTop = el.scrollHeight;
      else {
        const known = new Set([before.last]);
        const at = messages.findIndex((m) => known.has(m.id));
        unseen.value += at >= 0 ? messages.length - 1 - at : 1;
      }
    }
    Object.assign(place.current, { first, last, count: messages.length });
    remember();
  }, [messages]);

  const onScroll = () => {
    remember();
    const el = scroller.current;
    if (el.scrollTop < NEAR_TOP && hasOlder && !loadingOlder) onOlder();
  };

  const byId = new Map(messages.map((m) => [m.id, m]));
  return html`<div class="tconv">
    <div class="tconv__scroller" ref=${scroller} onScroll=${onScroll} tabindex="0" role="region" aria-label=${t('ticket.conversation')} aria-busy=${loadingOlder ? 'true' : 'false'}>
      <div class="tconv__top">
        ${loadingOlder
          ? html`<span class="tconv__loading" role="status"><span class="spinner" aria-hidden="true"></span>${t('ticket.loadingOlder')}</span>`
          : hasOlder
            ? html`<button type="button" class="link-button" onClick=${onOlder}>${t('ticket.older')}</button>`
            : html`<p class="tconv__start">${t('ticket.start')}</p>`}
      </div>
      <ol class="tconv__list">
        ${messages.map(
          (message) => html`<${Message}
            key=${message.id}
            message=${message}
            clientName=${clientName}
            showPublic=${showPublic}
            selected=${message.id === selectedId}
            answered=${message.reply_to ? byId.get(message.reply_to) : null}
            canReply=${canReply}
            onReply=${onReply}
            onContext=${onContext}
          />`,
        )}
      </ol>
    </div>
    ${unseen.value > 0 &&
    html`<button type="button" class="tconv__new" onClick=${toEnd}>
      <${Icon} name="down" />${t('ticket.newMessages', { n: unseen.value })}
    </button>`}
  </div>`;
}
