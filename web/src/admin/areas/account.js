// The pages of this area (see ../pages.js for the fields of a page).
export const ACCOUNT_PAGES = [];
