// Reading what a page shows through a function that makes its own api(...) call (so the
// console's contract test sees each path): {data, error, reload}, like kit's useResource.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';

export function useLoaded(load, deps) {
  const state = useSignal({ data: null, error: null });
  const tick = useSignal(0);
  useEffect(() => {
    let live = true;
    load().then(
      (data) => live && (state.value = { data, error: null }),
      (error) => live && (state.value = { data: state.value.data, error }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick.value]);
  return { ...state.value, reload: () => (tick.value += 1) };
}
