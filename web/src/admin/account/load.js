// Every user of the company, read whole (the users page filters them in the browser).
import { api } from '../../api.js';

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
