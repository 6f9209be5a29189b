// The orders area is a chunk of its own (esbuild's code splitting), like the
// administration's (../admin/load.js): the board and the ticket view never download it
// until an order is opened. The chunk (./all.js) brings the area's screens, the parts
// other screens borrow (the order form) and the texts of i18n/orders.*.js.
import { signal } from '@preact/signals';
import { html } from '../html.js';
import { t } from '../i18n.js';

/** The loaded chunk's module, or null. */
const chunk = signal(null);
const failure = signal(null);
let loading = null;

/** Loads the chunk once; resolves to its module (``SCREENS``, ``PARTS``). */
export function loadOrders() {
  loading ??= import('./all.js').then(
    (module) => {
      module.install();
      chunk.value = module;
      failure.value = null;
      return module;
    },
    (error) => {
      loading = null;
      failure.value = error;
      throw error;
    },
  );
  return loading;
}

function Waiting({ inline }) {
  if (failure.value) {
    return html`<div class=${inline ? '' : 'splash'} role="alert">
      <p>${t('admin.chunkFailed')}</p>
      <button type="button" class="button button--primary" onClick=${() => location.reload()}>${t('admin.reload')}</button>
    </div>`;
  }
  loadOrders().catch(() => {});
  return html`<div class=${inline ? 'admin-loading' : 'splash'} role="status"><span class=${`spinner${inline ? '' : ' spinner--large'}`} aria-hidden="true"></span><span class="visually-hidden">${t('app.loading')}</span></div>`;
}

/** A screen of the chunk, by its name in ./all.js's SCREENS. */
export function lazyOrders(name) {
  function LazyOrdersScreen(props) {
    const module = chunk.value;
    if (!module) return html`<${Waiting} />`;
    const Screen = module.SCREENS[name];
    return html`<${Screen} ...${props} />`;
  }
  LazyOrdersScreen.displayName = `LazyOrders(${name})`;
  return LazyOrdersScreen;
}

/** A part of the chunk rendered inside another screen (``name`` of ./all.js's PARTS, e.g.
 * "OrderForm"), with the other props passed on; a spinner while the chunk loads. */
export function OrdersPart({ name, ...props }) {
  const module = chunk.value;
  if (!module) return html`<${Waiting} inline />`;
  const Part = module.PARTS[name];
  return html`<${Part} ...${props} />`;
}
