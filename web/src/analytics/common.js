// What the analytics screens share: the area's frame (the console's header, side tabs for
// the pages the role may open, the page), numbers, percentages and durations written for
// people ("1 h 05 min", "42 s"), the company's days (YYYY-MM-DD in its timezone) and the
// lists the pickers offer (channels, and the people who work the desk).
import { signal } from '@preact/signals';
import { api } from '../api.js';
import { channelName } from '../channels.js';
import { timezone } from '../format.js';
import { html } from '../html.js';
import { localeTag, t } from '../i18n.js';
import { Link, route } from '../router.js';
import { can, me } from '../session.js';
import { AppHeader } from '../shell.js';
import { PageHead } from '../ui.js';
import { analyticsPages } from './pages.js';

function SideTabs() {
  const here = route.value.path;
  const pages = analyticsPages();
  if (pages.length < 2) return null;
  return html`<nav class="admin-nav an-nav" aria-label=${t('analytics.nav')}>
    <ul class="admin-nav__list">
      ${pages.map(
        (page) => html`<li>
          <${Link} href=${page.path} class="admin-nav__link" aria-current=${here === page.path ? 'page' : undefined}>${t(page.title)}</${Link}>
        </li>`,
      )}
    </ul>
  </nav>`;
}

/** A page of the area: its title (the tab's too, focused on arrival), an optional
 * description and actions beside the title, and its content. */
export function AnalyticsPage({ title, description, actions, children }) {
  return html`<div class="app admin analytics">
    <${AppHeader} />
    <div class=${analyticsPages().length > 1 ? 'admin__body' : 'admin__body an-body--single'}>
      <${SideTabs} />
      <main class="admin__main admin__main--wide an-main" id="main">
        <${PageHead} title=${title} description=${description} actions=${actions} />
        ${children}
      </main>
    </div>
  </div>`;
}

// --- numbers ------------------------------------------------------------------------
/** A count in the person's language: "1.234". */
export function count(n) {
  return new Intl.NumberFormat(localeTag.value).format(n ?? 0);
}

/** A share (0..1) as a percentage, "92,5 %"; "—" when there is none. */
export function percent(share) {
  if (share === null || share === undefined) return '—';
  return new Intl.NumberFormat(localeTag.value, { style: 'percent', maximumFractionDigits: 1 }).format(share);
}

/** "1 ticket", "12 tickets". */
export function ticketCount(n) {
  return n === 1 ? t('analytics.ticketOne') : t('analytics.tickets', { n: count(n) });
}

const pad = (n) => String(n).padStart(2, '0');

/** Seconds written for people: "< 1 s", "42 s", "3 min 20 s", "12 min", "1 h 05 min", "2 d 4 h";
 * "—" for none (a metric without tickets has no mean, not a zero). */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds > 0 && seconds < 0.5) return '< 1 s';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 600) return s % 60 ? `${Math.floor(s / 60)} min ${pad(s % 60)} s` : `${s / 60} min`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h ${pad(minutes % 60)} min`;
  const hours = Math.round(minutes / 60);
  return hours % 24 ? `${Math.floor(hours / 24)} d ${hours % 24} h` : `${hours / 24} d`;
}

// --- the company's days -----------------------------------------------------------------
/** Today in the company's timezone, YYYY-MM-DD (the API's days are the company's). */
export function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone.value }).format(new Date());
}

/** ``day`` (YYYY-MM-DD) moved by ``n`` days. */
export function addDays(day, n) {
  const at = new Date(`${day}T12:00:00Z`);
  at.setUTCDate(at.getUTCDate() + n);
  return at.toISOString().slice(0, 10);
}

/** Days from ``from`` to ``to``, both counted. */
export function daysBetween(from, to) {
  return Math.round((Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86_400_000) + 1;
}

/** A day as it is written, short: "5 dic" (with the year when ``year``). */
export function dayLabel(day, year = false) {
  const options = year ? { day: 'numeric', month: 'short', year: 'numeric' } : { day: 'numeric', month: 'short' };
  return new Intl.DateTimeFormat(localeTag.value, { ...options, timeZone: 'UTC' }).format(new Date(`${day}T12:00:00Z`));
}

/** The presets of the period pickers: [name, from, to] in the company's timezone. */
export function presets() {
  const now = today();
  return [
    ['today', now, now],
    ['last7', addDays(now, -6), now],
    ['last30', addDays(now, -29), now],
    ['month', `${now.slice(0, 8)}01`, now],
  ];
}

/** The API's longest range (docs/analytics.md): 366 days. */
export const LONGEST = 366;

/** What is wrong with a range typed by hand, as an i18n key, or null. */
export function rangeProblem(from, to) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to)) return 'analytics.range.missing';
  if (from > to) return 'analytics.range.reversed';
  if (daysBetween(from, to) > LONGEST) return 'analytics.range.tooLong';
  return null;
}

/** A moment in the company's timezone: "5 dic 2026, 14:05". */
export function when(iso) {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(localeTag.value, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: timezone.value,
  }).format(new Date(iso));
}

// --- what the pickers offer -----------------------------------------------------------
/** The company's channels (``[{id, name, type, label}]``), for roles that may read them. */
export const channels = signal([]);
/** The people who work the desk (``[{id, name}]``), by name: the monitoring table's rows,
 * or the users list for a role that may read it and not the table. */
export const team = signal([]);
// whose lists these are: another person may sign in next in this tab
let channelsOf = null;
let teamOf = null;
const who = () => me.value?.user.id ?? null;

export function loadChannels() {
  if (channelsOf === who()) return;
  channelsOf = who();
  channels.value = [];
  if (!can('channels.read')) return;
  api('GET', '/v1/channels?limit=100').then(
    (page) => (channels.value = page.items.map((c) => ({ id: c.id, name: c.name, type: c.type, label: `${c.name} · ${channelName(c.type)}` }))),
    () => (channelsOf = null),
  );
}

const byName = (a, b) => a.name.localeCompare(b.name);

/** Keeps the team from the monitoring table's rows (its screen refreshes them). */
export function keepTeam(rows) {
  teamOf = who();
  team.value = rows.map((row) => ({ id: row.user_id, name: row.name })).sort(byName);
}

export function loadTeam() {
  if (teamOf === who()) return;
  teamOf = who();
  team.value = [];
  const failed = () => (teamOf = null);
  if (can('analytics.monitor')) {
    api('GET', '/v1/analytics/agents').then((table) => keepTeam(table.agents), failed);
  } else if (can('users.read')) {
    api('GET', '/v1/users?limit=100').then(
      (page) =>
        (team.value = page.items
          .filter((user) => user.active && user.role !== 'account_contact')
          .map((user) => ({ id: user.id, name: `${user.first_name} ${user.last_name}`.trim() }))
          .sort(byName)),
      failed,
    );
  }
}
