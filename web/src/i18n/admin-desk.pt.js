// Texts of the console's admin-desk area (pt).
export default {
};
