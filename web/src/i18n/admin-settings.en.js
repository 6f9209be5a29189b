// Texts of the console's admin-settings area (en).
export default {
};
