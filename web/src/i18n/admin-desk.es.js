// Texts of the console's admin-desk area (es).
export default {
};
