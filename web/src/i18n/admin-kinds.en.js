// Texts of the console's admin-kinds area (en).
export default {
};
