// Texts of the console's admin-kinds area (pt).
export default {
};
