// The addresses of the orders area (issue 15, item 7; docs/orders.md): the list, the
// catalogue and one order. Each page is shown only to a role with its action (else "No
// permitido"); the screens are in the area's chunk (./load.js, ./all.js).
import { can } from '../session.js';
import { lazyOrders } from './load.js';

export const ORDER_PAGES = [
  { path: '/orders', allowed: () => can('orders.read'), Screen: lazyOrders('OrdersScreen') },
  { path: '/orders/catalogue', allowed: () => can('products.read'), Screen: lazyOrders('CatalogueScreen') },
  {
    // the number (123) or the reference (ORD-000123), as the API takes either
    pattern: /^\/orders\/(?<number>[1-9][0-9]{0,9}|ORD-[0-9]{1,10})$/,
    allowed: () => can('orders.read'),
    Screen: lazyOrders('OrderScreen'),
  },
];

/** The orders page at ``path``: [page, props] or null. */
export function orderPageAt(path) {
  for (const page of ORDER_PAGES) {
    if (page.path === path) return [page, {}];
    const found = page.pattern?.exec(path);
    if (found) return [page, { ...found.groups }];
  }
  return null;
}
