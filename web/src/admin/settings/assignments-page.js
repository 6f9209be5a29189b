// "Asignaciones" (seed 001, SPEC §4): one row per person who works tickets — their
// presence, automatic assignment on or off, the channels they take, an optional cap —
// saved in one action (PUT /v1/assignments with the whole table), and why each of their
// latest tickets went to them (GET /v1/assignments/{user_id}/recent). Supervisors read it.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../api.js';
import { ChannelIcon } from '../../channels.js';
import { errorText } from '../../errors.js';
import { formatDateTime, formatWhen } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { Link } from '../../router.js';
import { can } from '../../session.js';
import { Alert, Button, useId } from '../../ui.js';
import { AdminPage } from '../layout.js';
import { Badge, EmptyState, Loading, readAll, Section } from '../kit.js';
import { problemText, stable, useLoad } from './parts.js';
import './settings.css';

const ASSIGNABLE = ['admin', 'supervisor', 'agent'];

/** The table's rows as drafts; a channel disconnected since is left out (the API takes
 * only connected channels, and the page offers only those). */
function rowsOf(table, channels) {
  const connected = new Set(channels.map((c) => c.id));
  return table.agents.map((a) => ({
    user_id: a.user_id,
    auto_assign: a.auto_assign,
    channels: a.channels.filter((id) => connected.has(id)).sort(),
    cap: a.cap ?? '',
  }));
}

/** The 400's problems per row: {index: {field: message}}. */
function rowProblems(error) {
  const found = {};
  for (const problem of Array.isArray(error?.details) ? error.details : []) {
    const [, , index, field] = Array.isArray(problem.loc) ? problem.loc : [];
    if (typeof index !== 'number') continue;
    found[index] = { ...found[index], [field || '_']: problemText(problem) };
  }
  return found;
}

function Presence({ value }) {
  return html`<span class="aspresence"><span class=${`asdot asdot--${value}`} aria-hidden="true"></span>${t(`presence.${value}`)}</span>`;
}

/** Why one ticket went to the agent, in words. */
export function reasonText(item, nameOf) {
  const by = item.by ? nameOf(item.by) : '';
  if (item.how === 'manual') return t('assignments.why.manual', { by });
  if (item.how === 'answered') return t('assignments.why.answered');
  if (item.how === 'took_next') return t('assignments.why.tookNext');
  if (item.how === 'automatic' || item.how === 'handed_out') {
    const [first, second] = item.candidates;
    const start = t(`assignments.why.${item.how}`);
    if (item.eligible <= 1) return `${start} ${t('assignments.why.only')}`;
    const open = first?.open_tickets ?? 0;
    if (second && second.open_tickets === open) return `${start} ${t('assignments.why.tieWaited', { n: item.eligible, open })}`;
    return `${start} ${t('assignments.why.fewest', { n: item.eligible, open })}`;
  }
  return t('assignments.why.unknown');
}

function Recent({ agent, nameOf, channelOf, id }) {
  const found = useLoad(() => api('GET', `/v1/assignments/${encodeURIComponent(agent.user_id)}/recent`), agent.user_id);
  if (!found.data) return html`<div id=${id} class="asrecent"><${Loading} error=${found.error} onRetry=${found.reload} /></div>`;
  const items = found.data.items;
  return html`<div id=${id} class="asrecent" role="region" aria-label=${t('assignments.recent.of', { name: agent.name })}>
    <p class="asrecent__title">${t('assignments.recent.title')}</p>
    ${items.length === 0
      ? html`<p class="asrecent__empty">${t('assignments.recent.none')}</p>`
      : html`<ol class="asrecent__list">
          ${items.map((item) => {
            const channel = channelOf(item.channel_id);
            const when = item.assigned_at || item.opened_at;
            return html`<li class="asrecent__item">
              <${Link} class="asrecent__ticket" href=${`/tickets/${item.number}`}>#${item.number}</${Link}>
              <span class="asrecent__meta">
                ${channel && html`<${ChannelIcon} type=${channel.type} size="xs" decorative />`}
                ${channel ? channel.name : ''}
                <span aria-hidden="true">·</span>
                <time datetime=${when} title=${formatDateTime(when)}>${formatWhen(when)}</time>
                <${Badge} tone=${item.status === 'open' ? 'info' : 'neutral'}>${t(`status.${item.status}`)}</${Badge}>
              </span>
              <span class="asrecent__why">${reasonText(item, nameOf)}</span>
            </li>`;
          })}
        </ol>`}
    <p class="asrecent__rule">${t('assignments.recent.rule')}</p>
  </div>`;
}

function ChannelChoice({ agent, row, channels, onChange, error, disabled }) {
  const id = useId('as-channels');
  const flip = (channelId) => onChange(row.channels.includes(channelId) ? row.channels.filter((c) => c !== channelId) : [...row.channels, channelId].sort());
  if (!channels.length) return html`<span class="admin-table__muted">${t('assignments.noChannels')}</span>`;
  return html`<fieldset class="aschannels" aria-describedby=${error ? `${id}-error` : undefined}>
    <legend class="visually-hidden">${t('assignments.channelsOf', { name: agent.name })}</legend>
    ${channels.map(
      (channel) => html`<label class=${`check aschannel${row.channels.includes(channel.id) ? ' check--on' : ''}`}>
        <input type="checkbox" checked=${row.channels.includes(channel.id)} disabled=${disabled} onChange=${() => flip(channel.id)} />
        <${ChannelIcon} type=${channel.type} size="xs" decorative />
        <span>${channel.name}</span>
      </label>`,
    )}
    ${error && html`<p class="field__error" id=${`${id}-error`}>${error}</p>`}
  </fieldset>`;
}

function AgentRows({ agent, row, index, channels, editable, problems, onChange, nameOf, channelOf }) {
  const open = useSignal(false);
  const recentId = useId('recent');
  const takes = ASSIGNABLE.includes(agent.role);
  const served = channels.filter((c) => row.channels.includes(c.id));
  return html`
    <tr class=${`asrow${open.value ? ' asrow--open' : ''}`}>
      <th scope="row" class="asrow__who">
        <span class="asrow__name">${agent.name}</span>
        <span class="asrow__role">${t(`role.${agent.role}`)} · ${t(agent.open_tickets === 1 ? 'assignments.openOne' : 'assignments.openMany', { n: agent.open_tickets })}</span>
      </th>
      <td data-label=${t('assignments.col.presence')}><${Presence} value=${agent.presence} /></td>
      <td data-label=${t('assignments.col.auto')}>
        ${editable && takes
          ? html`<label class="chswitch">
              <input type="checkbox" role="switch" checked=${row.auto_assign} aria-label=${t('assignments.autoFor', { name: agent.name })} onChange=${(e) => onChange({ auto_assign: e.currentTarget.checked })} />
              <span class="chswitch__track" aria-hidden="true"><span class="chswitch__thumb"></span></span>
              <span class="chswitch__label" aria-hidden="true">${row.auto_assign ? t('assignments.on') : t('assignments.off')}</span>
            </label>`
          : takes
            ? html`<${Badge} tone=${row.auto_assign ? 'ok' : 'neutral'}>${row.auto_assign ? t('assignments.on') : t('assignments.off')}</${Badge}>`
            : html`<span class="admin-table__muted">${t('assignments.never')}</span>`}
        ${problems?.auto_assign && html`<p class="field__error">${problems.auto_assign}</p>`}
      </td>
      <td data-label=${t('assignments.col.channels')} class="asrow__channels">
        ${editable
          ? html`<${ChannelChoice} agent=${agent} row=${row} channels=${channels} error=${problems?.channels} onChange=${(list) => onChange({ channels: list })} />`
          : served.length
            ? html`<span class="aschips">${served.map((c) => html`<span class="aschip"><${ChannelIcon} type=${c.type} size="xs" decorative />${c.name}</span>`)}</span>`
            : html`<span class="admin-table__muted">${t('assignments.none')}</span>`}
      </td>
      <td data-label=${t('assignments.col.cap')} class="asrow__cap">
        ${editable
          ? html`<input
              type="number"
              min="1"
              max="1000"
              inputmode="numeric"
              class=${`field__input ascap${problems?.cap ? ' ascap--invalid' : ''}`}
              placeholder=${t('assignments.noCap')}
              aria-label=${t('assignments.capFor', { name: agent.name })}
              aria-invalid=${problems?.cap ? 'true' : undefined}
              value=${row.cap}
              onInput=${(e) => onChange({ cap: e.currentTarget.value })}
            />`
          : html`${row.cap === '' ? t('assignments.noCap') : row.cap}`}
        ${problems?.cap && html`<p class="field__error">${problems.cap}</p>`}
      </td>
      <td class="admin-table__actions">
        <button
          type="button"
          class="button button--secondary asrow__why"
          aria-expanded=${open.value ? 'true' : 'false'}
          aria-controls=${open.value ? recentId : undefined}
          aria-label=${t('assignments.recent.toggle', { name: agent.name })}
          onClick=${() => (open.value = !open.value)}
        >
          ${t('assignments.recent.button')}
          <svg class=${`aschev${open.value ? ' aschev--open' : ''}`} viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M7 10l5 5 5-5" /></svg>
        </button>
      </td>
    </tr>
    ${open.value &&
    html`<tr class="asrow__more">
      <td colspan="6"><${Recent} id=${recentId} agent=${agent} nameOf=${nameOf} channelOf=${channelOf} /></td>
    </tr>`}
  `;
}

export function AssignmentsScreen() {
  const editable = can('assignments.manage');
  const table = useSignal(null);
  const channels = useSignal([]);
  const rows = useSignal([]);
  const saved = useSignal('');
  const failure = useSignal(null);
  const problems = useSignal({});
  const problem = useSignal(null);
  const busy = useSignal(false);
  const tick = useSignal(0);

  useEffect(() => {
    let live = true;
    failure.value = null;
    Promise.all([api('GET', '/v1/assignments'), can('channels.read') ? readAll('/v1/channels?limit=100') : []]).then(
      ([found, list]) => {
        if (!live) return;
        table.value = found;
        channels.value = list.filter((c) => c.status === 'connected');
        rows.value = rowsOf(found, channels.value);
        saved.value = stable(rows.value);
      },
      (error) => live && (failure.value = error),
    );
    return () => {
      live = false;
    };
  }, [tick.value]);

  const dirty = table.value && stable(rows.value) !== saved.value;

  // presence and loads change all day: read them again every 30 s while the tab is seen,
  // keeping a draft that is under way (then only the people already listed are updated)
  const refresh = async () => {
    if (!table.value || busy.value || document.hidden) return;
    let found;
    try {
      found = await api('GET', '/v1/assignments');
    } catch {
      return; // the next round tries again
    }
    if (stable(rows.value) === saved.value) {
      table.value = found;
      rows.value = rowsOf(found, channels.value);
      saved.value = stable(rows.value);
    } else {
      const now = Object.fromEntries(found.agents.map((a) => [a.user_id, a]));
      table.value = {
        agents: table.value.agents.map((a) => (now[a.user_id] ? { ...a, presence: now[a.user_id].presence, open_tickets: now[a.user_id].open_tickets } : a)),
      };
    }
  };
  useEffect(() => {
    const timer = setInterval(refresh, 30_000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (!dirty) return undefined;
    const warn = (event) => {
      event.preventDefault();
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  if (!table.value) {
    return html`<${AdminPage} title=${t('assignments.title')} description=${t('assignments.description')}>
      <${Loading} error=${failure.value} onRetry=${() => (tick.value += 1)} />
    </${AdminPage}>`;
  }
  const agents = table.value.agents;
  const names = Object.fromEntries(agents.map((a) => [a.user_id, a.name]));
  const nameOf = (userId) => names[userId] || t('assignments.someone');
  const channelOf = (channelId) => channels.value.find((c) => c.id === channelId);
  const change = (index, patch) => {
    rows.value = rows.value.map((row, i) => (i === index ? { ...row, ...patch } : row));
    if (problems.value[index]) problems.value = { ...problems.value, [index]: undefined };
  };
  const save = async (event) => {
    event.preventDefault();
    problem.value = null;
    const local = {};
    rows.value.forEach((row, i) => {
      const cap = String(row.cap).trim();
      if (cap !== '' && (!/^\d+$/.test(cap) || Number(cap) < 1 || Number(cap) > 1000)) local[i] = { cap: t('assignments.capRange') };
    });
    if (Object.keys(local).length) {
      problems.value = local;
      problem.value = t('settings.fix');
      return;
    }
    busy.value = true;
    try {
      const body = rows.value.map((row) => ({
        user_id: row.user_id,
        auto_assign: row.auto_assign,
        channels: row.channels,
        cap: String(row.cap).trim() === '' ? null : Number(row.cap),
      }));
      const found = await api('PUT', '/v1/assignments', { agents: body });
      table.value = found;
      rows.value = rowsOf(found, channels.value);
      saved.value = stable(rows.value);
      problems.value = {};
      tell(t('assignments.saved'));
    } catch (error) {
      const found = rowProblems(error);
      problems.value = found;
      problem.value = Object.keys(found).length ? t('settings.fix') : errorText(error);
    } finally {
      busy.value = false;
    }
  };
  const discard = () => {
    rows.value = JSON.parse(saved.value);
    problems.value = {};
    problem.value = null;
  };
  const taking = agents.filter((a, i) => rows.value[i]?.auto_assign && a.presence === 'online').length;

  return html`<${AdminPage}
    title=${t('assignments.title')}
    description=${editable ? t('assignments.description') : t('assignments.descriptionRead')}
    wide
  >
    <form onSubmit=${save} noValidate class="asform">
      ${!editable && html`<${Alert} tone="success">${t('assignments.readOnly')}</${Alert}>`}
      ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
      <${Section}
        id="assignments"
        title=${t('assignments.table')}
        actions=${html`<span class="admin-table__muted">${t('assignments.taking', { n: taking })}</span>`}
      >
        ${agents.length === 0
          ? html`<${EmptyState} title=${t('assignments.empty')} text=${t('assignments.emptyText')} />`
          : html`<div class="admin-table-wrap">
              <table class="admin-table astable">
                <thead>
                  <tr>
                    <th scope="col">${t('assignments.col.agent')}</th>
                    <th scope="col">${t('assignments.col.presence')}</th>
                    <th scope="col">${t('assignments.col.auto')}</th>
                    <th scope="col">${t('assignments.col.channels')}</th>
                    <th scope="col">${t('assignments.col.cap')}</th>
                    <th scope="col"><span class="visually-hidden">${t('assignments.col.why')}</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${agents.map(
                    (agent, i) => html`<${AgentRows}
                      key=${agent.user_id}
                      agent=${agent}
                      row=${rows.value[i]}
                      index=${i}
                      channels=${channels.value}
                      editable=${editable}
                      problems=${problems.value[i]}
                      nameOf=${nameOf}
                      channelOf=${channelOf}
                      onChange=${(patch) => change(i, patch)}
                    />`,
                  )}
                </tbody>
              </table>
            </div>`}
      </${Section}>
      ${editable &&
      html`<div class=${`assave${dirty ? ' assave--dirty' : ''}`}>
        <p class="assave__text" role="status">${dirty ? t('assignments.unsaved') : t('assignments.upToDate')}</p>
        ${dirty && html`<button type="button" class="button button--secondary" onClick=${discard}>${t('settings.discard')}</button>`}
        <${Button} busy=${busy.value} busyLabel=${t('settings.saving')} disabled=${!dirty || busy.value}>${t('settings.save')}</${Button}>
      </div>`}
    </form>
  </${AdminPage}>`;
}
