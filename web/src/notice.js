// A short message of the header ("no ticket is waiting", a failed change), shown under it
// and announced politely; it goes away by itself. Any header control may ``tell``.
import { signal } from '@preact/signals';

/** ``{text, tone}`` ('info' | 'error'), or null. */
export const notice = signal(null);
let timer = null;

export function tell(text, tone = 'info') {
  clearTimeout(timer);
  notice.value = { text, tone };
  timer = setTimeout(() => (notice.value = null), tone === 'error' ? 10_000 : 6_000);
}

export function dismissNotice() {
  clearTimeout(timer);
  notice.value = null;
}
