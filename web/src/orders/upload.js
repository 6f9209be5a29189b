// A file for a payment's proof or a product's image, uploaded as the reply box uploads
// (web/src/screens/ticket-reply.js): the API signs a POST (POST /v1/attachments), the
// browser sends the file straight to storage, and the order or product names its key.
import { api } from '../api.js';
import { t } from '../i18n.js';

const TYPES_BY_EXTENSION = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', pdf: 'application/pdf' };

/** The types a proof may have; an image of a product takes only the image ones. */
export const PROOF_ACCEPT = '.jpg,.jpeg,.png,.webp,.gif,.pdf';
export const IMAGE_ACCEPT = '.jpg,.jpeg,.png'; // what a product's image may be (JPEG or PNG)

function typeOf(file) {
  const extension = (file.name.split('.').pop() || '').toLowerCase();
  return file.type || TYPES_BY_EXTENSION[extension] || 'application/octet-stream';
}

/** Uploads ``file``; resolves to ``{name, content_type, s3_key}`` (a proof's or an image's shape). */
export async function upload(file) {
  const signed = await api('POST', '/v1/attachments', { filename: file.name, content_type: typeOf(file), size: file.size });
  const form = new FormData();
  for (const [name, value] of Object.entries(signed.fields)) form.append(name, value);
  form.append('file', file);
  let answer;
  try {
    answer = await fetch(signed.url, { method: 'POST', body: form });
  } catch {
    throw new Error(t('orders.upload.network'));
  }
  if (!answer.ok) throw new Error(t('orders.upload.refused', { status: answer.status }));
  return { name: file.name, content_type: signed.content_type, s3_key: signed.s3_key };
}
