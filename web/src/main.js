// The console's entry: checks the session cookie, then shows the screen of the address.
import { render } from 'preact';
import { useLayoutEffect } from 'preact/hooks';
import './styles.css';
import { html } from './html.js';
import { t } from './i18n.js';
import { navigate, route } from './router.js';
import { can, me, ready, restore } from './session.js';
import { BoardScreen } from './screens/board.js';
import { LoginScreen } from './screens/login.js';
import { NotFoundScreen } from './screens/not-found.js';
import { ForgotPasswordScreen, InvitationScreen, ResetPasswordScreen } from './screens/password.js';
import { SignupScreen } from './screens/signup.js';
import { StatusScreen } from './screens/status.js';
import { TicketScreen } from './screens/ticket.js';
import { UpdatesScreen } from './screens/updates.js';
import { NotAllowedScreen, AdminPage } from './admin/layout.js';
import { WithAdmin } from './admin/load.js';
import { adminHome, pageAt } from './admin/pages.js';
import { orderPageAt } from './orders/pages.js';
import { analyticsFirst, analyticsHome, analyticsPageAt } from './analytics/pages.js';

/** Screens anyone may open. */
const PUBLIC = {
  '/status': StatusScreen,
  '/updates': UpdatesScreen,
  '/forgot-password': ForgotPasswordScreen,
  '/password-reset': ResetPasswordScreen,
  '/invitations/accept': InvitationScreen,
};
/** Screens for people who are not signed in (a signed-in person goes to the board). */
const SIGNED_OUT = { '/login': LoginScreen, '/signup': SignupScreen };
/** Screens for a signed-in person (anyone else goes to the login). */
const SIGNED_IN = { '/': HomeScreen, '/board': BoardHome };
/** Signed-in screens whose path carries a value: [pattern, screen]; the screen gets the
 * pattern's groups as props. */
const SIGNED_IN_PATTERNS = [[/^\/tickets\/(?<number>[1-9][0-9]{0,9})$/, TicketScreen]];

/** A person whose role sees no help desk (an account contact, an orders admin) starts on
 * the first page their role may open: an orders admin on the orders. An analyst (who reads
 * the numbers and works no ticket) starts on "Analítica". */
function HomeScreen() {
  if (analyticsFirst()) return html`<${Redirect} to="/analytics" />`;
  if (can('tickets.read')) return html`<${BoardScreen} />`;
  if (can('orders.read')) return html`<${Redirect} to="/orders" />`;
  const analytics = analyticsHome();
  if (analytics) return html`<${Redirect} to=${analytics} />`;
  const home = adminHome();
  if (home) return html`<${Redirect} to=${home} />`;
  return html`<${WithAdmin} render=${() => html`<${AdminPage} title=${t('admin.home.title')}><p class="lead">${t('admin.home.text')}</p></${AdminPage}>`} />`;
}

/** The board at its own address, for a person whose home is another page (an analyst's
 * "Mesón de ayuda" link); the help desk's roles have it at /. */
function BoardHome() {
  if (!can('tickets.read')) return html`<${NotAllowed} />`;
  if (!analyticsFirst()) return html`<${Redirect} to="/" />`;
  return html`<${BoardScreen} />`;
}

/** "No permitido", in the administration frame (its side navigation names the pages). */
function NotAllowed() {
  return html`<${WithAdmin} render=${() => html`<${NotAllowedScreen} />`} />`;
}

function signedInScreen(path) {
  if (SIGNED_IN[path]) return [SIGNED_IN[path], {}];
  const page = pageAt(path) || orderPageAt(path) || analyticsPageAt(path);
  if (page) return page[0].allowed() ? [page[0].Screen, page[1]] : [NotAllowed, {}];
  for (const [pattern, screen] of SIGNED_IN_PATTERNS) {
    const found = pattern.exec(path);
    // a role without the help desk (an orders admin) is told so, not shown an error
    if (found) return can('tickets.read') ? [screen, { ...found.groups }] : [NotAllowed, {}];
  }
  return null;
}

function Redirect({ to }) {
  useLayoutEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function App() {
  if (!ready.value) {
    return html`<div class="splash" role="status"><span class="spinner spinner--large" aria-hidden="true"></span><span class="visually-hidden">${t('app.loading')}</span></div>`;
  }
  const { path } = route.value;
  const signedIn = me.value !== null;
  if (PUBLIC[path]) return html`<${PUBLIC[path]} />`;
  if (SIGNED_OUT[path]) return signedIn ? html`<${Redirect} to="/" />` : html`<${SIGNED_OUT[path]} />`;
  const screen = signedInScreen(path);
  if (screen) {
    const [Screen, props] = screen;
    return signedIn ? html`<${Screen} ...${props} />` : html`<${Redirect} to="/login" />`;
  }
  return html`<${NotFoundScreen} />`;
}

render(html`<${App} />`, document.getElementById('app'));
restore();
