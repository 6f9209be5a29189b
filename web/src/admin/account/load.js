// Reading what a page shows. Every read is a call of api() written out in full, where the
// console's contract test (tests/e2e/test_console_contract.py) checks it against
// /v1/openapi.json: kit.js's useResource(path) and readAll(path) hide the path from it.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../api.js';

/** ``load()`` now, again when ``key`` changes or on ``reload()``: {data, error, reload};
 * ``data`` keeps the last good answer while a reload is under way. */
export function useLoaded(load, key = '') {
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
  }, [key, tick.value]);
  return { ...state.value, reload: () => (tick.value += 1) };
}

/** Every user of the company, every page of GET /v1/users (up to 2,000). */
export async function allUsers() {
  let page = await api('GET', '/v1/users?limit=100');
  const users = [...page.items];
  while (page.next_cursor && users.length < 2000) {
    page = await api('GET', `/v1/users?limit=100&cursor=${encodeURIComponent(page.next_cursor)}`);
    users.push(...page.items);
  }
  return users;
}
