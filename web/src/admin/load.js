// The administration pages are a chunk of their own (../chunk.js): the board and the
// ticket view, which agents open all day, never download them. The chunk brings its
// screens and their texts (web/src/admin/all.js); the registry (./pages.js) and the frame
// (./layout.js) stay in the first bundle, so the header knows which pages exist.
import { chunkLoader } from '../chunk.js';

const admin = chunkLoader(() => import('./all.js'), 'Lazy');

export const loadAdmin = admin.load;
/** A screen of the chunk, by its exported name (``SCREENS`` of ./all.js). */
export const lazy = admin.lazy;
/** Renders ``render()`` once the chunk (and so every page's title) is there. */
export const WithAdmin = admin.Loaded;
