// The connection flows of: whatsapp,twitter,email,app_store,play_store (see ./index.js).
export const OTHER_KINDS = {};
