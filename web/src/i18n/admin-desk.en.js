// Texts of the console's admin-desk area (en).
export default {
};
