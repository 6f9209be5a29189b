// Texts of the console's admin-channels area (en).
export default {
};
