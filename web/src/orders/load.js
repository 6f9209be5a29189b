// The orders area is a chunk of its own (../chunk.js), like the administration's: the
// board and the ticket view never download it until an order is opened. The chunk
// (./all.js) brings the area's screens, the parts other screens borrow (the order form)
// and the texts of i18n/orders.*.js.
import { chunkLoader } from '../chunk.js';

const orders = chunkLoader(() => import('./all.js'), 'LazyOrders');

export const loadOrders = orders.load;
/** A screen of the chunk, by its name in ./all.js's SCREENS. */
export const lazyOrders = orders.lazy;
/** A part of the chunk inside another screen (``name`` of ./all.js's PARTS, e.g.
 * "OrderForm"), with the other props passed on; a spinner while the chunk loads. */
export const OrdersPart = orders.Part;
