// What the Users, user and agent-group pages share: the roles an admin may give (with the
// seeds' names), the optional permissions each role may carry (docs/roles.md, "Optional
// permissions per role"; the API refuses any other), a user's state and invitation badges.
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { Badge } from '../kit.js';

/** The roles the "Crear usuario" form offers, in the seeds' order (account contacts are
 * added on their own page, with their email preferences). */
export const ROLES = ['admin', 'supervisor', 'agent', 'analyst', 'stakeholder', 'orders_admin'];

/** PERMISSIONS_BY_ROLE of chalicelib/domain/accounts/access.py. */
export const OPTIONAL_PERMISSIONS = {
  admin: [],
  supervisor: ['orders_payments_admin', 'payment_reconciler', 'standalone_orders', 'conversation_reports', 'payment_reports'],
  agent: ['conversation_dispenser', 'transfer_conversations', 'standalone_orders'],
  analyst: ['conversation_reports', 'payment_reports'],
  stakeholder: [],
  orders_admin: ['standalone_orders', 'payment_reconciler', 'payment_reports'],
  account_contact: [],
};

export const roleName = (role) => t(`users.role.${role}`);
export const fullName = (user) => `${user.first_name} ${user.last_name}`.trim();

/** The two letters of a person's avatar. */
export function initials(user) {
  return `${user.first_name?.[0] ?? ''}${user.last_name?.[0] ?? ''}`.toUpperCase() || '?';
}

export function Avatar({ user }) {
  return html`<span class="person__avatar" aria-hidden="true">${initials(user)}</span>`;
}

/** Active or deactivated. */
export function StateBadge({ user }) {
  return user.active
    ? html`<${Badge} tone="ok">${t('users.state.active')}</${Badge}>`
    : html`<${Badge} tone="neutral">${t('users.state.deactivated')}</${Badge}>`;
}

/** The invitation: pending (until a date), expired, or accepted. A deactivated user keeps
 * ``invitation_expires_at`` while the invitation was never accepted. */
export function invitationState(user) {
  if (user.status === 'invited') return 'pending';
  if (user.status === 'invitation_expired') return 'expired';
  if (user.status === 'deactivated' && user.invitation_expires_at) {
    return new Date(user.invitation_expires_at) <= new Date() ? 'expired' : 'pending';
  }
  return 'accepted';
}

export function InvitationBadge({ user }) {
  const state = invitationState(user);
  const tone = { pending: 'info', expired: 'warn', accepted: 'ok' }[state];
  return html`<${Badge} tone=${tone}>${t(`users.invitation.${state}`)}</${Badge}>`;
}
