// The connection flows of: facebook,instagram (see ./index.js).
export const META_KINDS = {};
