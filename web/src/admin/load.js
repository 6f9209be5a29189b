// The administration pages are a chunk of their own (esbuild's code splitting): the board
// and the ticket view, which agents open all day, never download them. The chunk brings
// its screens and their texts (web/src/admin/all.js); the registry (./pages.js) and the
// frame (./layout.js) stay in the first bundle, so the header knows which pages exist.
import { signal } from '@preact/signals';
import { html } from '../html.js';
import { t } from '../i18n.js';

/** The loaded chunk's module, or null. */
const chunk = signal(null);
/** The last failure to load it (a deploy replaced it, the network dropped), or null. */
const failure = signal(null);
let loading = null;

export function loadAdmin() {
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

function Waiting() {
  if (failure.value) {
    return html`<div class="splash" role="alert">
      <p>${t('admin.chunkFailed')}</p>
      <button type="button" class="button button--primary" onClick=${() => location.reload()}>${t('admin.reload')}</button>
    </div>`;
  }
  loadAdmin().catch(() => {});
  return html`<div class="splash" role="status"><span class="spinner spinner--large" aria-hidden="true"></span><span class="visually-hidden">${t('app.loading')}</span></div>`;
}

/** A screen of the chunk, by its exported name (``SCREENS`` of ./all.js). */
export function lazy(name) {
  function LazyScreen(props) {
    const module = chunk.value;
    if (!module) return html`<${Waiting} />`;
    const Screen = module.SCREENS[name];
    return html`<${Screen} ...${props} />`;
  }
  LazyScreen.displayName = `Lazy(${name})`;
  return LazyScreen;
}

/** Renders ``render()`` once the chunk (and so every page's title) is there. */
export function WithAdmin({ render }) {
  return chunk.value ? render() : html`<${Waiting} />`;
}
