// Texts of the console's admin-settings area (es).
export default {
};
