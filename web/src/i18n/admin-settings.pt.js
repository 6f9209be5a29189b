// Texts of the console's admin-settings area (pt).
export default {
};
