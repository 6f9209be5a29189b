// The connection flows of: chat (see ./index.js).
export const CHAT_KINDS = {};
