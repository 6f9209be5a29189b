// A part of the console built as a chunk of its own (esbuild's code splitting): the
// administration (./admin/load.js) and the orders area (./orders/load.js). The chunk is
// imported on first need, once; while it comes a spinner shows, and when it cannot come
// (a deploy replaced it, the network dropped) a button reloads the page.
import { signal } from '@preact/signals';
import { html } from './html.js';
import { t } from './i18n.js';

/** ``importer``: ``() => import('./all.js')`` (a literal path, so esbuild splits there);
 * the module it brings has ``install()``, ``SCREENS`` and, optionally, ``PARTS``. */
export function chunkLoader(importer, label) {
  /** The loaded chunk's module, or null. */
  const chunk = signal(null);
  /** The last failure to load it, or null. */
  const failure = signal(null);
  let loading = null;

  /** Loads the chunk once; resolves to its module. */
  function load() {
    loading ??= importer().then(
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
    load().catch(() => {});
    return html`<div class=${inline ? 'admin-loading' : 'splash'} role="status"><span class=${`spinner${inline ? '' : ' spinner--large'}`} aria-hidden="true"></span><span class="visually-hidden">${t('app.loading')}</span></div>`;
  }

  /** A screen of the chunk, by its name in the module's ``SCREENS``. */
  function lazy(name) {
    function LazyScreen(props) {
      const module = chunk.value;
      if (!module) return html`<${Waiting} />`;
      const Screen = module.SCREENS[name];
      return html`<${Screen} ...${props} />`;
    }
    LazyScreen.displayName = `${label}(${name})`;
    return LazyScreen;
  }

  /** A part of the chunk rendered inside another screen (``name`` of its ``PARTS``), with
   * the other props passed on; a small spinner while the chunk loads. */
  function Part({ name, ...props }) {
    const module = chunk.value;
    if (!module) return html`<${Waiting} inline />`;
    const Found = module.PARTS[name];
    return html`<${Found} ...${props} />`;
  }

  /** Renders ``render()`` once the chunk is there. */
  function Loaded({ render }) {
    return chunk.value ? render() : html`<${Waiting} />`;
  }

  return { load, lazy, Part, Loaded };
}
