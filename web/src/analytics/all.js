// The analytics chunk (./load.js): the area's screens and the texts of
// i18n/analytics.*.js, loaded the first time one of its pages is shown. A screen named with
// lazyAnalytics('Name') (./pages.js) is imported and listed in SCREENS.
import { addTexts } from '../i18n.js';
import enAnalytics from '../i18n/analytics.en.js';
import esAnalytics from '../i18n/analytics.es.js';
import ptAnalytics from '../i18n/analytics.pt.js';
import { MonitorScreen } from './monitor.js';
import { ReportsScreen } from './reports.js';
import { SummaryScreen } from './summary.js';
import './analytics.css';

export const SCREENS = { MonitorScreen, ReportsScreen, SummaryScreen };

/** Adds the area's texts to the console's catalogs. */
export function install() {
  addTexts({ es: [esAnalytics], pt: [ptAnalytics], en: [enAnalytics] });
}
