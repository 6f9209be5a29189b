// Texts of the console's admin-kinds area (es).
export default {
};
