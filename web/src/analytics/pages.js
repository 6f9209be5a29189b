// The addresses of the analytics area (issue 16; docs/analytics.md "Who may"): the summary
// ("Analítica"), the monitoring table ("Monitoreo") and the reports ("Reportes"). Each page
// is shown only to a role that may open it (else "No permitido"); the side tabs of the area
// and the header's link list only those. The screens are in the area's chunk (./load.js).
import { can } from '../session.js';
import { lazyAnalytics } from './load.js';

/** Whether the person's home is "Analítica", not the board: a role that reads the numbers
 * and works no ticket (an analyst). Their board is at /board. */
export const analyticsFirst = () => can('analytics.read') && !can('tickets.work');

/** Whether the person may generate some report (conversations or payments). */
export const mayGenerateReports = () => can('reports.conversations') || can('reports.payments');

export const ANALYTICS_PAGES = [
  { path: '/analytics', title: 'analytics.tab.summary', allowed: () => can('analytics.read'), Screen: lazyAnalytics('SummaryScreen') },
  { path: '/analytics/agents', title: 'analytics.tab.agents', allowed: () => can('analytics.monitor'), Screen: lazyAnalytics('MonitorScreen') },
  {
    // reports.read (docs/analytics.md "Who may"): whoever may export a kind, and analysts,
    // who without the report permissions see the list read-only
    path: '/analytics/reports',
    title: 'analytics.tab.reports',
    allowed: () => can('reports.read') || mayGenerateReports() || can('analytics.read'),
    Screen: lazyAnalytics('ReportsScreen'),
  },
];

/** The analytics page at ``path``: [page, props] or null. */
export function analyticsPageAt(path) {
  const page = ANALYTICS_PAGES.find((candidate) => candidate.path === path);
  return page ? [page, {}] : null;
}

/** The pages of the area the signed-in role may open, in the side tabs' order. */
export function analyticsPages() {
  return ANALYTICS_PAGES.filter((page) => page.allowed());
}

/** Where the header's "Analítica" link goes: the first page the role may open, or null. */
export function analyticsHome() {
  return analyticsPages()[0]?.path ?? null;
}
