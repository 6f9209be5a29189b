// The orders chunk (./load.js): the area's screens, the parts other screens borrow, and
// the texts of i18n/orders.*.js, loaded the first time one of them is shown. A screen
// named with lazyOrders('Name') (./pages.js) is imported and listed in SCREENS.
import { addTexts } from '../i18n.js';
import enOrders from '../i18n/orders.en.js';
import esOrders from '../i18n/orders.es.js';
import ptOrders from '../i18n/orders.pt.js';
import { CatalogueScreen } from './catalogue.js';
import { OrderScreen } from './detail.js';
import { OrdersScreen } from './list.js';
import { OrderForm } from './order-form.js';
import './orders.css';

export const SCREENS = { CatalogueScreen, OrderScreen, OrdersScreen };

/** Components other screens render through ./load.js's OrdersPart. */
export const PARTS = { OrderForm };

/** Adds the area's texts to the console's catalogs. */
export function install() {
  addTexts({ es: [esOrders], pt: [ptOrders], en: [enOrders] });
}
