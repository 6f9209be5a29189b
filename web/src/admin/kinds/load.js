// Reading with a literal api(...) call (the contract test checks every path the console
// names against /v1/openapi.json): {data, error, loading, reload}, like kit's useResource.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';

/** ``read()`` (a promise) now, again when ``key`` changes, and on ``reload()``; ``key``
 * null: nothing is read. ``data`` keeps the last good answer while a reload runs. */
export function useLoad(read, key) {
  const state = useSignal({ data: null, error: null, loading: key != null });
  const tick = useSignal(0);
  useEffect(() => {
    if (key == null) return undefined;
    let live = true;
    state.value = { ...state.value, loading: true };
    read().then(
      (data) => live && (state.value = { data, error: null, loading: false }),
      (error) => live && (state.value = { data: state.value.data, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, tick.value]);
  return { ...state.value, reload: () => (tick.value += 1) };
}
