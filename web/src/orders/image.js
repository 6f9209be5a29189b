// An image of the bucket (a payment's proof, a product's photo) shown through its
// presigned URL. The console's CSP lets images come only from itself (img-src 'self'
// data: blob:), while it may fetch from the bucket (connect-src, the bucket's CORS): the
// image is fetched and shown as a blob: URL, freed when it leaves the page.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { html } from '../html.js';

/** ``<img>`` of the presigned ``src``; ``fallback`` while it loads or when it fails. */
export function SignedImage({ src, alt, fallback = null, ...rest }) {
  const shown = useSignal(null);
  const failed = useSignal(false);
  useEffect(() => {
    if (!src) return undefined;
    let live = true;
    let made = null;
    failed.value = false;
    fetch(src, { credentials: 'omit', cache: 'force-cache' })
      .then((answer) => (answer.ok ? answer.blob() : Promise.reject(new Error(String(answer.status)))))
      .then((blob) => {
        if (!live) return;
        made = URL.createObjectURL(blob);
        shown.value = made;
      })
      .catch(() => live && (failed.value = true));
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
      shown.value = null;
    };
  }, [src]);
  if (!shown.value) return fallback;
  return html`<img src=${shown.value} alt=${alt} ...${rest} />`;
}
