// The analytics area is a chunk of its own (../chunk.js), like the orders area: the board
// and the ticket view never download its screens and charts until an analytics page opens.
// The chunk (./all.js) brings the area's screens and the texts of i18n/analytics.*.js.
import { chunkLoader } from '../chunk.js';

const analytics = chunkLoader(() => import('./all.js'), 'LazyAnalytics');

export const loadAnalytics = analytics.load;
/** A screen of the chunk, by its name in ./all.js's SCREENS. */
export const lazyAnalytics = analytics.lazy;
