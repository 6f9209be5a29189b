// The pages of this area (see ../pages.js for the fields of a page): "Facturación" (issue
// 14, seed 000 "Contratación y pago de planes" and "Facturación") — the plan, its usage,
// add-ons, payment methods and invoices. An admin finds it with the account's pages; an
// account contact in their portal (both have billing.read and billing.manage).
import { lazy } from '../load.js';
import { can } from '../../session.js';

const section = () => (can('account.read') ? 'account' : 'portal');
// after "Cuenta" for an admin; after the contacts (an account contact's home) in the portal
const order = (n) => (can('account.read') ? 20 + n : 60 + n);

export const BILLING_PAGES = [
  {
    path: '/admin/billing',
    title: 'billing.title',
    get section() {
      return section();
    },
    get order() {
      return order(0);
    },
    allowed: () => can('billing.read'),
    Screen: lazy('BillingScreen'),
  },
  {
    path: '/admin/billing/subscription',
    title: 'billing.edit.title',
    get section() {
      return section();
    },
    get order() {
      return order(1);
    },
    nav: false,
    allowed: () => can('billing.manage'),
    Screen: lazy('SubscriptionScreen'),
  },
  {
    path: '/admin/billing/payment-methods',
    title: 'billing.methods.title',
    get section() {
      return section();
    },
    get order() {
      return order(2);
    },
    nav: false,
    allowed: () => can('billing.read'),
    Screen: lazy('PaymentMethodsScreen'),
  },
  {
    path: '/admin/billing/invoices',
    title: 'billing.invoices.title',
    get section() {
      return section();
    },
    get order() {
      return order(3);
    },
    nav: false,
    allowed: () => can('billing.read'),
    Screen: lazy('InvoicesScreen'),
  },
];
