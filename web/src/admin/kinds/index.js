// What each channel type adds to the channel pages: its connection flow (``Connect``, the
// page /admin/channels/connect/<type>) and what its channel page shows about the
// connection (``Details``, given {channel, reload}). Each file here owns some types.
import { META_KINDS } from './meta.js';
import { CHAT_KINDS } from './chat.js';
import { OTHER_KINDS } from './others.js';
import { SEARCH_KINDS } from './search.js';

/** {type: {Connect, Details}}; a type without an entry is connected by its form in the docs. */
export const KINDS = { ...META_KINDS, ...CHAT_KINDS, ...OTHER_KINDS, ...SEARCH_KINDS };
